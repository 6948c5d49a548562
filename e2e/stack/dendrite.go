package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Domain is the server name of the stack's homeserver.
const Domain = "localhost"

// Homeserver is the stack's Dendrite.
type Homeserver struct {
	// URL is the client-server API base URL, http://127.0.0.1:<port>.
	URL string
	// ConfigPath is dendrite.yaml.
	ConfigPath string
	// LogPath is where Dendrite's output goes.
	LogPath string

	bins Binaries
	dir  string
	addr string
	env  []string // added to Dendrite's environment
	log  zerolog.Logger
	proc *Process
}

// setupDendrite prepares a Dendrite instance in dir listening on addr, with
// the given appservice registrations and env added to its environment. A
// key made by an earlier run in the same dir is kept, and so is the data.
func setupDendrite(ctx context.Context, log zerolog.Logger, bins Binaries, dir, addr string, registrations, env []string) (*Homeserver, error) {
	hs := &Homeserver{
		URL:        "http://" + addr,
		ConfigPath: filepath.Join(dir, "dendrite.yaml"),
		LogPath:    filepath.Join(dir, "dendrite.log"),
		bins:       bins,
		dir:        dir,
		addr:       addr,
		env:        env,
		log:        log,
	}
	dataDir := filepath.Join(dir, "data")
	// Dendrite panics at start when its data dir is missing.
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	keyPath := filepath.Join(dir, "matrix_key.pem")
	if _, err := os.Stat(keyPath); errors.Is(err, os.ErrNotExist) {
		if _, err = runTool(ctx, dir, nil, bins.Path(BinGenerateKeys), "--private-key", keyPath); err != nil {
			return nil, err
		}
	}
	cfg, err := runTool(ctx, dir, nil, bins.Path(BinGenerateConfig), "-ci", "-dir", dataDir, "-server", Domain)
	if err != nil {
		return nil, err
	}
	if err = os.WriteFile(hs.ConfigPath, cfg, 0o600); err != nil {
		return nil, err
	}
	f, err := LoadYAML(hs.ConfigPath)
	if err != nil {
		return nil, err
	}
	err = f.SetAll(map[string]any{
		"global.private_key":               keyPath,
		"global.disable_federation":        true,
		"app_service_api.config_files":     registrations,
		"client_api.rate_limiting.enabled": false,
		"logging":                          []map[string]any{{"type": "std", "level": "info"}},
	})
	if err != nil {
		return nil, err
	}
	return hs, f.Save()
}

// start runs Dendrite and waits until it answers /versions.
func (hs *Homeserver) start(ctx context.Context) error {
	proc, err := startProcess(hs.log, "dendrite", hs.LogPath, hs.dir, hs.env, hs.bins.Path(BinDendrite),
		"-config", hs.ConfigPath,
		"-http-bind-address", hs.addr,
		"-https-bind-address", "",
		// Required with the -ci config, which has open registration.
		"-really-enable-open-registration",
	)
	if err != nil {
		return err
	}
	hs.proc = proc
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err = waitHTTP(ctx, hs.URL+"/_matrix/client/versions", proc); err != nil {
		return err
	}
	hs.log.Info().Str("url", hs.URL).Dur("took", time.Since(start)).Msg("Dendrite is ready")
	return nil
}

// CreateAccount registers a Matrix account (through Dendrite's shared
// registration secret). An account that exists already is not an error.
func (hs *Homeserver) CreateAccount(ctx context.Context, localpart, password string) error {
	out, err := runTool(ctx, hs.dir, strings.NewReader(password), hs.bins.Path(BinCreateAccount),
		"-config", hs.ConfigPath, "-url", hs.URL, "-username", localpart, "-passwordstdin")
	if err != nil {
		if strings.Contains(string(out), "M_USER_IN_USE") {
			return nil
		}
		return fmt.Errorf("creating @%s:%s: %w", localpart, Domain, err)
	}
	return nil
}

// Stop stops Dendrite.
func (hs *Homeserver) Stop() error {
	if hs.proc == nil {
		return nil
	}
	err := hs.proc.Stop()
	hs.proc = nil
	return err
}
