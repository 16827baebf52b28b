package storage

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotee/gotee/tee"
)

var crashRuns = flag.Int("crash.runs", 0, "kill-and-check rounds of TestCrash (default 20, 5 with -short; or $GOTEE_CRASH_RUNS)")

const (
	helperEnv    = "GOTEE_STORAGE_HELPER"
	helperDirEnv = "GOTEE_STORAGE_HELPER_DIR"
	ringSize     = 7 // positions of the renamed object
)

// The crash workload: every object goes through numbered versions, each made
// by one engine operation, and each version's content is derivable from its
// number, so a check can tell which version it reads and that it reads all of
// one version.
var crashObjects = []string{"create-0", "create-1", "create-2", "write-0", "write-1", "big", "rpmb", "ring"}

func crashSID(obj string) StorageID {
	if obj == "rpmb" {
		return StoragePrivateRPMB
	}
	return StoragePrivate
}

func objHash(obj string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(obj))
	return h.Sum64()
}

// crashSize is the size of version v of obj: varying for the objects that are
// replaced whole, fixed for those written in place.
func crashSize(obj string, v uint64) int {
	switch {
	case strings.HasPrefix(obj, "write-"):
		return 5*chunkSize + 100
	case obj == "big":
		return 75 * chunkSize
	case obj == "ring":
		return 3000
	}
	return int((v*2654435761 + objHash(obj)) % (3*chunkSize + 500))
}

func crashContent(obj string, v uint64) []byte {
	if obj == "ring" {
		v = 0 // renames do not change the content
	}
	b := pattern(int(objHash(obj)%1e6*1e6+v), crashSize(obj, v))
	if len(b) >= 8 {
		binary.BigEndian.PutUint64(b, v)
	}
	return b
}

func ringID(pos uint64) []byte { return []byte(fmt.Sprintf("ring-%d", pos%ringSize)) }

// crashVersion reads the version obj is at (0: absent) and checks that all of
// the object is that version. For the ring object it returns its position + 1.
func crashVersion(s *Store, obj string) (uint64, error) {
	sid := crashSID(obj)
	if obj == "ring" {
		found, pos := 0, uint64(0)
		for p := uint64(0); p < ringSize; p++ {
			b, err := readAllErr(s, sid, ringID(p))
			if errorsIs(err, tee.ErrItemNotFound) {
				continue
			}
			if err != nil {
				return 0, err
			}
			if !bytes.Equal(b, crashContent(obj, 0)) {
				return 0, fmt.Errorf("ring at %d: content differs", p)
			}
			found++
			pos = p
		}
		if found > 1 {
			return 0, fmt.Errorf("ring object at %d places", found)
		}
		if found == 0 {
			return 0, nil
		}
		return pos + 1, nil // the caller resolves the version from the position
	}
	b, err := readAllErr(s, sid, []byte(obj))
	if errorsIs(err, tee.ErrItemNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v uint64
	if strings.HasPrefix(obj, "create-") || obj == "rpmb" {
		h, err := s.ReadHeader(bg, taA, sid, []byte(obj))
		if err != nil {
			return 0, err
		}
		if len(h) != 8 {
			return 0, fmt.Errorf("%s: header of %d bytes", obj, len(h))
		}
		v = binary.BigEndian.Uint64(h)
	} else {
		if len(b) < 8 {
			return 0, fmt.Errorf("%s: %d bytes", obj, len(b))
		}
		v = binary.BigEndian.Uint64(b)
	}
	if !bytes.Equal(b, crashContent(obj, v)) {
		return 0, fmt.Errorf("%s: content is not all of version %d (%d bytes)", obj, v, len(b))
	}
	return v, nil
}

func errorsIs(err error, code tee.Result) bool {
	c, _ := tee.Code(err, tee.OriginTEE)
	return err != nil && c == code
}

func readAllErr(s *Store, sid StorageID, id []byte) ([]byte, error) {
	info, err := s.Stat(bg, taA, sid, id)
	if err != nil {
		return nil, err
	}
	b := make([]byte, info.DataSize)
	n, err := s.ReadAt(bg, taA, sid, id, b, 0)
	return b[:n], err
}

// crashStep makes version v of obj (from version v-1) with one operation.
func crashStep(s *Store, handles map[string]*Handle, obj string, v uint64) error {
	sid := crashSID(obj)
	switch {
	case obj == "ring":
		if v == 1 {
			return s.Create(bg, taA, sid, ringID(1), nil, crashContent(obj, 0), false)
		}
		return s.Rename(bg, taA, sid, ringID(v-1), ringID(v))
	case strings.HasPrefix(obj, "write-"), obj == "big":
		if v == 1 {
			h, err := s.CreateOpen(bg, taA, sid, []byte(obj), R|W|SR|SW, nil, crashContent(obj, 1))
			handles[obj] = h
			return err
		}
		h := handles[obj]
		if h == nil {
			var err error
			if h, err = s.Open(bg, taA, sid, []byte(obj), R|W|SR|SW); err != nil {
				return err
			}
			handles[obj] = h
		}
		return h.WriteAt(bg, crashContent(obj, v), 0)
	}
	var h [8]byte
	binary.BigEndian.PutUint64(h[:], v)
	return s.Create(bg, taA, sid, []byte(obj), h[:], crashContent(obj, v), true)
}

// TestHelperProcess is the writer TestCrash kills; it runs only when TestCrash
// starts the test binary with helperEnv set.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "crash-writer" {
		t.Skip("the writer process of TestCrash")
	}
	dir := os.Getenv(helperDirEnv)
	s, err := Open(bg, dir, testKey, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper open:", err)
		os.Exit(3)
	}
	vers := map[string]uint64{}
	for _, obj := range crashObjects {
		v, err := crashVersion(s, obj)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper read:", err)
			os.Exit(3)
		}
		if obj == "ring" && os.Getenv("GOTEE_RING") != "" {
			v, _ = strconv.ParseUint(os.Getenv("GOTEE_RING"), 10, 64)
		}
		vers[obj] = v
	}
	handles := map[string]*Handle{}
	out := bufio.NewWriter(os.Stdout)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for {
		obj := crashObjects[r.IntN(len(crashObjects))]
		v := vers[obj] + 1
		if err := crashStep(s, handles, obj, v); err != nil {
			fmt.Fprintf(os.Stderr, "helper step %s %d: %v\n", obj, v, err)
			os.Exit(3)
		}
		vers[obj] = v
		fmt.Fprintf(out, "ack %s %d\n", obj, v)
		out.Flush()
	}
}

// TestCrash runs a writer process doing thousands of replacements of a set of
// objects, SIGKILLs it at random moments, and after each kill checks that the
// store opens (the rollback counter accepts it) and that every object is
// exactly one complete version: the last acknowledged one or the one in
// flight.
func TestCrash(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("in the helper")
	}
	runs := *crashRuns
	if runs == 0 {
		runs = 20
		if testing.Short() {
			runs = 5
		}
		if n, err := strconv.Atoi(os.Getenv("GOTEE_CRASH_RUNS")); err == nil {
			runs = n
		}
	}
	dir := t.TempDir()
	known := map[string]uint64{} // versions checked after the previous kill
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	total := 0
	for run := 0; run < runs; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"=crash-writer", helperDirEnv+"="+dir,
			fmt.Sprintf("GOTEE_RING=%d", known["ring"]))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks := make(chan [2]string, 1<<16)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "ack" {
					acks <- [2]string{f[1], f[2]}
				}
			}
		}()
		acked := map[string]uint64{}
		record := func(a [2]string) {
			v, _ := strconv.ParseUint(a[1], 10, 64)
			acked[a[0]] = max(acked[a[0]], v)
		}
		if r.IntN(4) != 0 {
			// Usually let the writer get going first.
			select {
			case a := <-acks:
				record(a)
			case <-done:
			case <-time.After(20 * time.Second):
			}
		}
		time.Sleep(time.Duration(r.IntN(1000)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("run %d: writer ended before the kill: %v\n%s", run, err, stderr.Bytes())
		}
		close(acks)
		for a := range acks {
			record(a)
		}
		n := 0
		for obj, v := range acked {
			n += int(v - min(v, known[obj]))
		}

		s, err := Open(bg, dir, testKey, nil)
		if err != nil {
			t.Fatalf("run %d: Open after the kill: %v", run, err)
		}
		for _, obj := range crashObjects {
			lo := max(known[obj], acked[obj])
			got, err := crashVersion(s, obj)
			if err != nil {
				s.Close()
				t.Fatalf("run %d: %s: %v", run, obj, err)
			}
			if obj == "ring" {
				// The position gives the version modulo ringSize.
				pos := got - 1
				switch {
				case got == 0 && lo == 0:
					// not created yet
				case got > 0 && lo > 0 && pos == lo%ringSize:
					got = lo
				case got > 0 && pos == (lo+1)%ringSize:
					got = lo + 1
				default:
					s.Close()
					t.Fatalf("run %d: ring object at position %d, acknowledged version %d", run, int(got)-1, lo)
				}
			}
			if got != lo && got != lo+1 {
				s.Close()
				t.Fatalf("run %d: %s at version %d, acknowledged %d", run, obj, got, lo)
			}
			total += int(got - known[obj])
			known[obj] = got
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: killed after %d acknowledged versions", run, n)
	}
	t.Logf("%d runs, %d versions written and verified", runs, total)
}
