package bridge

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// buildBinary builds wxbridge once per test run (the go build cache makes it
// quick after the first time).
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the wxbridge binary")
	}
	bin := filepath.Join(t.TempDir(), "wxbridge")
	cmd := exec.Command("go", "build", "-tags", "goolm", "-o", bin, ".")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// TestRootExamples checks that config.example.yaml at the repository root is
// exactly what `wxbridge -e` writes, and that registration.yaml has the shape
// `wxbridge -g` writes. Regenerate the first with
// `go build -tags goolm -o /tmp/wxbridge . && /tmp/wxbridge -e -c - > config.example.yaml`.
func TestRootExamples(t *testing.T) {
	bin := buildBinary(t)

	t.Run("config.example.yaml", func(t *testing.T) {
		out, err := exec.Command(bin, "-e", "-c", "-").Output()
		require.NoError(t, err)
		committed, err := os.ReadFile("../config.example.yaml")
		require.NoError(t, err)
		assert.Equal(t, string(out), string(committed), "config.example.yaml is stale: regenerate it with wxbridge -e -c -")
		// SQLite is the default, in the form the bridge recommends.
		assert.Contains(t, string(out), "\n    type: sqlite3-fk-wal\n")
		assert.Contains(t, string(out), "\n    uri: file:wxbridge.db?_txlock=immediate\n")
	})

	t.Run("registration.yaml", func(t *testing.T) {
		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "config.yaml")
		regPath := filepath.Join(dir, "registration.yaml")
		require.NoError(t, exec.Command(bin, "-e", "-c", cfgPath).Run())
		cfg, err := os.ReadFile(cfgPath)
		require.NoError(t, err)
		cfg = []byte(strings.Replace(string(cfg), "domain: example.com", "domain: example.org", 1))
		require.NoError(t, os.WriteFile(cfgPath, cfg, 0o600))
		out, err := exec.Command(bin, "-g", "-c", cfgPath, "-r", regPath).CombinedOutput()
		require.NoError(t, err, "%s", out)

		generated := readYAMLMap(t, regPath)
		committed := readYAMLMap(t, "../registration.yaml")
		for _, secret := range []string{"as_token", "hs_token", "sender_localpart"} {
			assert.NotEmpty(t, generated[secret])
			assert.Contains(t, committed[secret], "REPLACE_WITH", "%s must be a placeholder", secret)
			delete(generated, secret)
			delete(committed, secret)
		}
		committedYAML, err := yaml.Marshal(committed)
		require.NoError(t, err)
		generatedYAML, err := yaml.Marshal(generated)
		require.NoError(t, err)
		assert.Equal(t, string(generatedYAML), strings.ReplaceAll(string(committedYAML), `example\.com`, `example\.org`))
	})
}

func readYAMLMap(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(data, &m))
	return m
}
