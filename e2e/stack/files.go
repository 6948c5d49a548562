package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Dir is the bridge's working directory: its config, registration,
// database and logs.
func (b *Bridge) Dir() string { return b.dir }

// DatabasePath is the file of the bridge's SQLite database, from
// database.uri (relative paths are relative to Dir). It fails when the
// bridge uses another database.
func (b *Bridge) DatabasePath() (string, error) {
	cfg, err := LoadYAML(b.ConfigPath)
	if err != nil {
		return "", err
	}
	switch typ := cfg.String("database.type"); typ {
	case "sqlite3-fk-wal", "litestream":
	default:
		return "", fmt.Errorf("the bridge's database is %q, not SQLite", typ)
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(cfg.String("database.uri"), "file:"), "?")
	if path == "" || path == ":memory:" {
		return "", errors.New("the bridge's SQLite database has no file")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.dir, path)
	}
	return path, nil
}

// LogFiles lists every file the bridge's logs went to: its stdout and
// stderr (LogPath) and, for each file writer in logging.writers, the file
// and its rotated backups. Files not created (yet) are left out.
func (b *Bridge) LogFiles() ([]string, error) {
	data, err := os.ReadFile(b.ConfigPath)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Logging struct {
			Writers []struct {
				Type     string `yaml:"type"`
				Filename string `yaml:"filename"`
			} `yaml:"writers"`
		} `yaml:"logging"`
	}
	if err = yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", b.ConfigPath, err)
	}
	files := []string{b.LogPath}
	for _, w := range cfg.Logging.Writers {
		if w.Type != "file" || w.Filename == "" {
			continue
		}
		name := w.Filename
		if !filepath.IsAbs(name) {
			name = filepath.Join(b.dir, name)
		}
		// lumberjack names backups <name>-<time><ext> (compress is off).
		ext := filepath.Ext(name)
		backups, err := filepath.Glob(strings.TrimSuffix(name, ext) + "-*" + ext)
		if err != nil {
			return nil, err
		}
		files = append(files, name)
		files = append(files, backups...)
	}
	out := files[:0]
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out, nil
}
