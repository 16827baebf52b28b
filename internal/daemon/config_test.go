package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "c.toml")
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	c, err := LoadConfig(write(`
socket = "/tmp/x.sock"
ta_dirs = ["/a", "/b"]
scan_interval = "250ms"
trust_dev_key = false
[[access]]
uuid = "8aaaf200-2450-11e4-abe2-0002a5d5c51b"
uids = [1000]
`))
	if err != nil {
		t.Fatal(err)
	}
	c.Defaults()
	if c.Socket != "/tmp/x.sock" || len(c.TADirs) != 2 || c.ScanInterval.Milliseconds() != 250 || *c.TrustDevKey ||
		len(c.Access) != 1 || c.Access[0].UIDs[0] != 1000 || c.Storage == "" || c.LogLevel != "info" {
		t.Fatalf("config %+v", c)
	}
	for _, bad := range []string{`sockett = "x"`, `scan_interval = "-1s"`, `[[access]]` + "\n" + `uuid = "nope"`, `ta_dirs = "notalist"`} {
		if _, err := LoadConfig(write(bad)); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
