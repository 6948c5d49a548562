package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BinEnv is the environment variable naming the directory of the binaries.
const BinEnv = "WXBRIDGE_E2E_BIN"

// Names of the binaries the stack runs.
const (
	BinBridge         = "wxbridge"
	BinDendrite       = "dendrite"
	BinGenerateKeys   = "generate-keys"
	BinGenerateConfig = "generate-config"
	BinCreateAccount  = "create-account"
)

// ErrNoBinaries means the binaries directory is not set or incomplete.
var ErrNoBinaries = errors.New("stack: binaries not found")

// Binaries is a directory holding the binaries of the stack.
type Binaries struct{ Dir string }

// FindBinaries checks that dir (or $WXBRIDGE_E2E_BIN when dir is empty)
// holds every binary the stack needs. The error wraps ErrNoBinaries and
// says what is missing and how to build it.
func FindBinaries(dir string) (Binaries, error) {
	if dir == "" {
		dir = os.Getenv(BinEnv)
	}
	if dir == "" {
		return Binaries{}, fmt.Errorf("%w: %s is not set (run `make e2e`, which builds them into bin/)", ErrNoBinaries, BinEnv)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Binaries{}, fmt.Errorf("%w: %w", ErrNoBinaries, err)
	}
	for _, name := range []string{BinBridge, BinDendrite, BinGenerateKeys, BinGenerateConfig, BinCreateAccount} {
		st, err := os.Stat(filepath.Join(abs, name))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return Binaries{}, fmt.Errorf("%w: no executable %s in %s (`make dendrite` builds Dendrite's, `go build -tags goolm -o %s/wxbridge .` the bridge)",
				ErrNoBinaries, name, abs, abs)
		}
	}
	return Binaries{Dir: abs}, nil
}

// Path is the path of a binary.
func (b Binaries) Path(name string) string { return filepath.Join(b.Dir, name) }
