package tacore

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// The provisioned keystore: root keys a factory (or a test, with RDK's test keystore)
// gives the installation, kept in the SecAPI TA's private trusted storage. When it is
// there, sessions opened afterwards use it instead of the DeviceSecret-derived keys,
// so that containers and ladder inputs made for known root keys work here.

// keystoreID is the persistent object that holds the provisioned root keys.
var keystoreID = []byte("secapi.rootkeys")

// keystoreMagic starts the object's data and versions its layout:
// magic ‖ u64 device ID ‖ Var unique ‖ Var common.
const keystoreMagic = "gsr1"

// provisioner is the only identity allowed to provision: a LoginUser session of uid 0.
// The device's administrator is who writes a factory's keys; any other user would be
// able to replace the keys content is bound to. It is computed the way teed computes
// client identities, so the TA never sees the uid itself.
var provisioner = func() tee.Identity {
	id, err := tee.ClientIdentity(&tee.Credentials{UID: 0}, tee.LoginUser, 0)
	if err != nil {
		panic(err)
	}
	return id
}()

// labelExportProvisioned is the HMAC label that turns a provisioned unique root key
// into the export secret: exported blobs then open wherever the same unique key is.
const labelExportProvisioned = "secapi/export/provisioned/v1"

// provisionedKeys is what the keystore holds.
type provisionedKeys struct {
	unique, common []byte
	deviceID       uint64
}

func (p *provisionedKeys) marshal() []byte {
	var w protocol.Writer
	w.Bytes([]byte(keystoreMagic))
	w.U64(p.deviceID)
	w.Var(p.unique)
	w.Var(p.common)
	return w.Buf
}

func unmarshalProvisioned(b []byte) (*provisionedKeys, error) {
	if len(b) < len(keystoreMagic) || string(b[:len(keystoreMagic)]) != keystoreMagic {
		return nil, tee.ErrCorruptObject
	}
	rd := protocol.NewReader(b[len(keystoreMagic):])
	p := &provisionedKeys{deviceID: rd.U64()}
	p.unique = append([]byte(nil), rd.Var(protocol.MaxRootKey)...)
	p.common = append([]byte(nil), rd.Var(protocol.MaxRootKey)...)
	if rd.Err() != nil || !validRootKey(p.unique) || !validRootKey(p.common) {
		p.wipe()
		return nil, tee.ErrCorruptObject
	}
	return p, nil
}

func (p *provisionedKeys) wipe() {
	clear(p.unique)
	clear(p.common)
}

// validRootKey: the root keys are AES keys (the ladder's first stage decrypts with
// them), 128 or 256 bits as the reference's OTP layer allows.
func validRootKey(k []byte) bool { return len(k) == 16 || len(k) == 32 }

// loadProvisioned reads the keystore; nil without error when there is none. Any other
// failure (a corrupt object, storage gone) is an error: silently falling back to other
// keys would make every container for this device fail in ways hard to trace.
func loadProvisioned(s *ta.Session) (*provisionedKeys, error) {
	o, err := s.OpenPersistentObject(ta.StoragePrivate, keystoreID, ta.DataAccessRead|ta.DataShareRead)
	if errors.Is(err, tee.ErrItemNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer o.Close()
	buf := make([]byte, len(keystoreMagic)+8+2*(4+protocol.MaxRootKey)+1)
	defer clear(buf)
	n, err := o.ReadData(buf)
	if err != nil {
		return nil, err
	}
	return unmarshalProvisioned(buf[:n])
}

// rootKeysFrom makes the root keys of a provisioned keystore.
func rootKeysFrom(p *provisionedKeys) *rootKeys {
	m := hmac.New(sha256.New, p.unique)
	m.Write([]byte(labelExportProvisioned))
	return &rootKeys{
		unique:      append([]byte(nil), p.unique...),
		common:      append([]byte(nil), p.common...),
		export:      m.Sum(nil),
		deviceID:    p.deviceID,
		provisioned: true,
	}
}

// provisionRootKeys is CmdProvisionRootKeys. It runs outside the slot lock: it touches
// only trusted storage and the Core's root keys for sessions opened later. Sessions
// already open keep the keys they started with, so no key of theirs changes meaning
// under them.
func (c *Core) provisionRootKeys(s *ta.Session, r *req_) error {
	unique := r.rd.Var(protocol.MaxRootKey + 1)
	common := r.rd.Var(protocol.MaxRootKey + 1)
	deviceID := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if s.ClientIdentity() != provisioner {
		return protocol.StatusOperationNotAllowed
	}
	if !validRootKey(unique) || !validRootKey(common) {
		return protocol.StatusInvalidParameter
	}
	p := &provisionedKeys{unique: append([]byte(nil), unique...), common: append([]byte(nil), common...), deviceID: deviceID}
	defer p.wipe()
	data := p.marshal()
	defer clear(data)
	o, err := s.CreatePersistentObject(ta.StoragePrivate, keystoreID, ta.DataAccessRead, nil, data)
	if errors.Is(err, tee.ErrAccessConflict) {
		// Provisioned already: the keystore is write-once, but giving the same keys
		// again succeeds, so a factory step (or a test script) can be re-run.
		old, err := loadProvisioned(s)
		if err != nil || old == nil {
			return protocol.StatusInternalError
		}
		defer old.wipe()
		same := subtle.ConstantTimeCompare(old.marshal(), data) == 1
		if !same {
			return protocol.StatusOperationNotAllowed
		}
	} else if err != nil {
		return protocol.StatusInternalError
	} else {
		o.Close()
	}
	c.mu.Lock()
	c.root = rootKeysFrom(p)
	c.mu.Unlock()
	return nil
}

// rootKeysStatus is CmdRootKeysStatus: whether this session's root keys are the
// provisioned ones.
func rootKeysStatus(sl *slot, r *req_) error {
	if err := r.rd.Err(); err != nil {
		return err
	}
	var v uint32
	if sl.root.provisioned {
		v = 1
	}
	var w protocol.Writer
	w.U32(v)
	return r.reply(w.Buf)
}
