package scenarios

import (
	"os"
	"testing"
)

// TestReadMemSplitsRSS reads the test's own process: the resident set is
// split into anonymous and file-backed pages, and the OS threads counted.
func TestReadMemSplitsRSS(t *testing.T) {
	m, err := ReadMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.Anon <= 0 || m.File <= 0 || m.Threads <= 0 {
		t.Fatalf("anon %d, file %d, threads %d: want each above 0", m.Anon, m.File, m.Threads)
	}
	// VmRSS is RssAnon + RssFile + RssShmem, each rounded to a kB.
	if diff := m.RSS - m.Anon - m.File; diff < -4096 || diff > 4096 {
		t.Errorf("RSS %d is not anon %d + file %d", m.RSS, m.Anon, m.File)
	}
	if _, err := ReadMem(0); err == nil {
		t.Error("ReadMem(0) gave no error")
	}
}
