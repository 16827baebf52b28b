package tacore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Limits as the reference sets them.
const (
	MaxSlots   = 256
	MaxObjects = 256 // keys, ciphers, MACs per slot, each
)

// Name is what sa_get_name reports.
const Name = "gotee"

// ImplementationRevision is sa_version.implementation_revision.
const ImplementationRevision = 1

// Labels of the TA's device secrets (ta.Session.DeviceSecret).
const (
	labelWrap = "secapi/key-wrap/v1"
)

// Core is the SecAPI TA.
type Core struct {
	ta.Base
	now func() time.Time

	mu    sync.Mutex
	slots map[*ta.Session]*slot // guarded by mu
	wrap  cipher.AEAD           // key-wrapping AEAD, made on first session (guarded by mu)
	root  *rootKeys             // made on first session (guarded by mu)
}

// New returns a SecAPI TA. now gives the time for validity windows; nil is time.Now.
func New(now func() time.Time) *Core {
	if now == nil {
		now = time.Now
	}
	return &Core{now: now, slots: map[*ta.Session]*slot{}}
}

// Slots is the number of open slots, for tests.
func (c *Core) Slots() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.slots)
}

// callerUUID is the UUID rights are checked against and sa_get_ta_uuid returns: a
// calling TA's own UUID, protocol.REEUUID for a normal-world client.
func callerUUID(id tee.Identity) tee.UUID {
	if id.Login == tee.LoginTrustedApp {
		return id.UUID
	}
	return protocol.REEUUID
}

// OpenSession assigns the session a slot. Past MaxSlots it is TEE_ERROR_BUSY, which
// the library reports as SA_STATUS_NO_AVAILABLE_RESOURCE_SLOT.
func (c *Core) OpenSession(s *ta.Session, _ *ta.Params) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.slots) >= MaxSlots {
		return tee.ErrBusy
	}
	if c.wrap == nil {
		w, err := newWrap(s)
		if err != nil {
			return err
		}
		c.wrap = w
	}
	if c.root == nil {
		rk, err := newRootKeys(s)
		if err != nil {
			return err
		}
		c.root = rk
	}
	id := s.ClientIdentity()
	sl := newSlot(id, c.wrap)
	sl.root = c.root
	c.slots[s] = sl
	s.Data = sl // concurrent invokes get Sessions of their own, all with this Data
	return nil
}

// newWrap derives this instance's key-wrapping key from the TA's device secret and a
// random per-instance salt: wrapped keys never outlive the instance, and no constant
// key is in the code.
func newWrap(s *ta.Session) (cipher.AEAD, error) {
	secret, err := s.DeviceSecret(labelWrap)
	if err != nil {
		return nil, err
	}
	defer clear(secret)
	salt := make([]byte, 32)
	ta.GenerateRandom(salt)
	m := hmac.New(sha256.New, secret)
	m.Write(salt)
	k := m.Sum(nil)
	defer clear(k)
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// CloseSession releases the slot and everything in it.
func (c *Core) CloseSession(s *ta.Session) {
	c.mu.Lock()
	sl := c.slots[s]
	delete(c.slots, s)
	c.mu.Unlock()
	if sl != nil {
		sl.releaseAll()
	}
}

func (c *Core) slot(s *ta.Session) *slot {
	sl, _ := s.Data.(*slot)
	return sl
}

// Invoke checks the parameter layout of docs/secapi.md, runs the command and puts its
// status in parameter 0.
func (c *Core) Invoke(s *ta.Session, cmd uint32, p *ta.Params) error {
	if p[0].Type != tee.ValueInout ||
		(p[1].Type != tee.MemrefInput && p[1].Type != tee.ParamNone) ||
		(p[2].Type != tee.MemrefInput && p[2].Type != tee.ParamNone) ||
		(p[3].Type != tee.MemrefOutput && p[3].Type != tee.ParamNone) {
		return tee.ErrBadParameters
	}
	if p[1].Size > protocol.MaxRequest || p[2].Size > protocol.MaxData || p[3].Size > protocol.MaxData {
		p[3].Size = 0 // no output: the caller's buffer keeps what it had
		return tee.ErrBadParameters
	}
	if p[0].Value.A != protocol.Version {
		p[0].Value = tee.Value{A: uint32(protocol.StatusOperationNotSupported)}
		p[3].Size = 0
		return nil
	}
	sl := c.slot(s)
	if sl == nil {
		return tee.ErrBadState
	}
	// The request decides control flow: copy it out of shared memory first.
	req := append([]byte(nil), p[1].Mem...)
	r := &req_{rd: protocol.NewReader(req), raw: req, in: p[2].Mem, out: p[3].Mem}
	if p[2].Type == tee.ParamNone {
		r.in = nil
	} else if r.in == nil {
		r.in = []byte{} // a zero-length input is present, not NULL
	}
	if p[3].Type == tee.ParamNone {
		r.out, r.noOut = nil, true
	}
	r.outCap = p[3].Size
	st := c.run(s, sl, cmd, r)
	if errors.Is(st, tee.ErrShortBuffer) {
		p[3].Size = r.need
		return tee.ErrShortBuffer
	}
	var code protocol.Status
	if st != nil {
		if !errors.As(st, &code) {
			code = protocol.StatusInternalError
		}
	}
	if code == protocol.StatusOK {
		p[3].Size = r.n
	} else {
		p[3].Size = 0
	}
	p[0].Value = tee.Value{A: uint32(code)}
	return nil
}

// req_ is one command in flight.
type req_ struct {
	rd     *protocol.Reader
	raw    []byte // the request rd reads (copied out of shared memory)
	in     []byte // parameter 2, may be shared memory
	out    []byte // parameter 3
	outCap int
	noOut  bool
	n      int // bytes written to out
	need   int // with ErrShortBuffer
}

// reply writes b as the reply; a short output is tee.ErrShortBuffer with the size.
func (r *req_) reply(b []byte) error {
	if len(b) > r.outCap || r.out == nil && len(b) > 0 {
		r.need = len(b)
		return tee.ErrShortBuffer
	}
	r.n = copy(r.out, b)
	return nil
}

func (r *req_) replyU64(v uint64) error {
	return r.reply(binary.LittleEndian.AppendUint64(nil, v))
}

func (c *Core) run(s *ta.Session, sl *slot, cmd uint32, r *req_) error {
	switch cmd {
	case protocol.CmdGetVersion:
		if err := r.rd.Err(); err != nil {
			return err
		}
		var w protocol.Writer
		w.U64(3)
		w.U64(4)
		w.U64(1)
		w.U64(ImplementationRevision)
		return r.reply(w.Buf)
	case protocol.CmdGetName:
		if err := r.rd.Err(); err != nil {
			return err
		}
		return r.reply([]byte(Name))
	case protocol.CmdGetDeviceID:
		if err := r.rd.Err(); err != nil {
			return err
		}
		if sl.root.deviceID != 0 {
			return r.replyU64(sl.root.deviceID) // a provisioned keystore names the device
		}
		id, err := s.Properties(ta.PropsetTEEImplementation).UUID("gpd.tee.deviceID")
		if err != nil {
			return protocol.StatusInternalError
		}
		// sa_get_device_id is a 64-bit id: the first 8 bytes of the TEE's device UUID.
		return r.replyU64(binary.BigEndian.Uint64(id[:8]))
	case protocol.CmdGetTAUUID:
		if err := r.rd.Err(); err != nil {
			return err
		}
		u := sl.caller
		return r.reply(u[:])
	case protocol.CmdRandom:
		if err := r.rd.Err(); err != nil {
			return err
		}
		if r.noOut {
			return protocol.StatusNullParameter
		}
		ta.GenerateRandom(r.out[:r.outCap])
		r.n = r.outCap
		return nil
	case protocol.CmdProvisionRootKeys:
		return c.provisionRootKeys(s, r)
	case protocol.CmdRootKeysStatus:
		return rootKeysStatus(sl, r)
	}
	// Commands on a context hold it for their whole run; its handle is the
	// request's first field. Anything else needs no lock of the slot's.
	if unlock := sl.holdContext(cmd, r.raw); unlock != nil {
		defer unlock()
	}
	now := uint64(c.now().Unix())
	switch cmd {
	case protocol.CmdKeyGenerate:
		return sl.keyGenerate(r)
	case protocol.CmdKeyImport:
		return sl.keyImport(r, now)
	case protocol.CmdKeyRelease:
		return release(r, &sl.keys, (*key).wipe)
	case protocol.CmdKeyHeader:
		h := r.rd.U64()
		if err := r.rd.Err(); err != nil {
			return err
		}
		k, err := sl.keys.get(h)
		if err != nil {
			return err
		}
		return r.reply(k.hdr.Marshal())
	case protocol.CmdKeyDigest:
		return sl.keyDigest(r, now)
	case protocol.CmdKeyGetPublic:
		return sl.keyPublic(r)
	case protocol.CmdCipherInit:
		return sl.cipherInit(r, now)
	case protocol.CmdCipherUpdateIV:
		return sl.cipherUpdateIV(r)
	case protocol.CmdCipherProcess:
		return sl.cipherProcess(r, now, false)
	case protocol.CmdCipherProcessLast:
		return sl.cipherProcess(r, now, true)
	case protocol.CmdCipherProcessBuffers:
		return sl.cipherProcessBuffers(r, now, false)
	case protocol.CmdCipherProcessLastBuffers:
		return sl.cipherProcessBuffers(r, now, true)
	case protocol.CmdProcessCommonEncryption:
		return sl.processCommonEncryption(r, now)
	case protocol.CmdSVPSupported, protocol.CmdSVPMemoryAlloc, protocol.CmdSVPMemoryFree,
		protocol.CmdSVPBufferCreate, protocol.CmdSVPBufferAlloc, protocol.CmdSVPBufferFree,
		protocol.CmdSVPBufferRelease, protocol.CmdSVPBufferWrite, protocol.CmdSVPBufferCopy,
		protocol.CmdSVPKeyCheck, protocol.CmdSVPBufferCheck:
		sl.svpMu.Lock()
		defer sl.svpMu.Unlock()
		return sl.svpCommand(cmd, r, now)
	case protocol.CmdCipherRelease:
		return release(r, &sl.ciphers, (*cipherCtx).free)
	case protocol.CmdMACInit:
		return sl.macInit(r, now)
	case protocol.CmdMACProcess:
		return sl.macProcess(r)
	case protocol.CmdMACProcessKey:
		return sl.macProcessKey(r, now)
	case protocol.CmdMACCompute:
		return sl.macCompute(r)
	case protocol.CmdSign:
		return sl.keySign(r, now)
	case protocol.CmdKeyExchange:
		return sl.keyExchange(r, now)
	case protocol.CmdKeyDerive:
		return sl.keyDerive(r, now)
	case protocol.CmdKeyExport:
		return sl.keyExport(r)
	case protocol.CmdKeyUnwrap:
		return sl.keyUnwrap(r, now)
	case protocol.CmdKeyProvisionTA:
		return sl.keyProvisionTA(r)
	case protocol.CmdMACRelease:
		return release(r, &sl.macs, (*macCtx).free)
	}
	return protocol.StatusOperationNotSupported
}

// release is a Release command: the request is the object's handle; the object
// leaves its table once no command uses it, then free wipes it.
func release[T any](r *req_, t *table[T], free func(*T)) error {
	h := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	v, err := t.remove(h)
	if err != nil {
		return err
	}
	free(v)
	return nil
}

// holdContext takes the use lock of the cipher or MAC context a command works on, so
// commands on one context run one at a time and its release waits for them. A
// request too short for a handle, or a handle that names nothing, holds nothing:
// the command then fails as it would have.
func (sl *slot) holdContext(cmd uint32, req []byte) (unlock func()) {
	if len(req) < 8 {
		return nil
	}
	h := binary.LittleEndian.Uint64(req)
	var err error
	switch cmd {
	case protocol.CmdCipherUpdateIV, protocol.CmdCipherProcess, protocol.CmdCipherProcessLast,
		protocol.CmdCipherProcessBuffers, protocol.CmdCipherProcessLastBuffers:
		_, unlock, err = sl.ciphers.hold(h, true)
	case protocol.CmdMACProcess, protocol.CmdMACProcessKey, protocol.CmdMACCompute:
		_, unlock, err = sl.macs.hold(h, true)
	}
	if err != nil {
		return nil
	}
	return unlock
}
