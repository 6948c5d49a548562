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
// what `wxbridge -e` writes with SQLite as the database (sqliteExample), and
// that registration.yaml has the shape `wxbridge -g` writes. Regenerate the
// first with `make example-config`.
func TestRootExamples(t *testing.T) {
	bin := buildBinary(t)

	t.Run("config.example.yaml", func(t *testing.T) {
		out, err := exec.Command(bin, "-e", "-c", "-").Output()
		require.NoError(t, err)
		committed, err := os.ReadFile("../config.example.yaml")
		require.NoError(t, err)
		assert.Equal(t, sqliteExample(t, string(out)), string(committed), "config.example.yaml is stale: regenerate it with make example-config")
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

// mxmainDatabaseLines are the database lines of the example config mxmain
// writes, and what config.example.yaml says instead: SQLite next to the
// bridge, so that one file and no database server is all a small install
// needs.
var mxmainDatabaseLines = []struct{ mxmain, ours string }{
	{"\n    type: postgres\n", "\n    type: sqlite3-fk-wal\n"},
	{"\n    uri: postgres://user:password@host/database?sslmode=disable\n", "\n    uri: file:wxbridge.db?_txlock=immediate\n"},
}

// sqliteExample is mxmain's example config with SQLite as the database. It
// fails when mxmain's example no longer has those lines once: then update
// mxmainDatabaseLines and the sed lines of the Makefile's example-config
// target to what mautrix writes now.
func sqliteExample(t *testing.T, mxmainExample string) string {
	t.Helper()
	for _, l := range mxmainDatabaseLines {
		require.Equal(t, 1, strings.Count(mxmainExample, l.mxmain),
			"mautrix's example config no longer has %q once: update mxmainDatabaseLines and `make example-config`", strings.TrimSpace(l.mxmain))
		mxmainExample = strings.Replace(mxmainExample, l.mxmain, l.ours, 1)
	}
	return mxmainExample
}

// TestDockerEntrypoint runs the image's entrypoint as the container would on
// its first two starts: the first writes our example config (SQLite, all
// interfaces, readable by the bridge's user only), the second the
// registration.
func TestDockerEntrypoint(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	example, err := filepath.Abs("../config.example.yaml")
	require.NoError(t, err)
	start := func() string {
		cmd := exec.Command("sh", "../docker-run.sh")
		cmd.Env = append(os.Environ(), "WXBRIDGE_BINARY="+bin, "WXBRIDGE_DATA="+data, "WXBRIDGE_EXAMPLE="+example)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	cfgPath := filepath.Join(data, "config.yaml")

	assert.Contains(t, start(), "Edit it", "the first start says what to do next")
	info, err := os.Stat(cfgPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "config.yaml will hold the appservice tokens")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	assert.Contains(t, string(cfg), "\n    type: sqlite3-fk-wal\n")
	assert.Contains(t, string(cfg), "\n    uri: file:wxbridge.db?_txlock=immediate\n")
	assert.Contains(t, string(cfg), "\n    hostname: 0.0.0.0\n", "the bridge listens on all interfaces in a container")

	cfg = []byte(strings.Replace(string(cfg), "domain: example.com", "domain: example.org", 1))
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o600))
	assert.Contains(t, start(), "Register it with the homeserver", "the second start generates the registration")
	reg := readYAMLMap(t, filepath.Join(data, "registration.yaml"))
	assert.NotEmpty(t, reg["as_token"])
}
