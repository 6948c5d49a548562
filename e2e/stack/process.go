package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// stopTimeout is how long a process has to exit after SIGTERM before it
// gets SIGKILL.
const stopTimeout = 10 * time.Second

// Process is a child process running in its own process group, with its
// stdout and stderr appended to a log file.
type Process struct {
	Name    string
	LogPath string

	cmd  *exec.Cmd
	log  zerolog.Logger
	done chan struct{} // closed when the process exited
	err  error         // Wait's result, set before done closes
}

// startProcess starts bin with args in dir, with env added to the test's
// environment, its output appended to logPath. The process gets its own process group (so that Stop reaches its
// children) and dies with the parent thread if the test binary is killed.
func startProcess(log zerolog.Logger, name, logPath, dir string, env []string, bin string, args ...string) (*Process, error) {
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "==== %s: starting %s\n", time.Now().Format(time.RFC3339Nano), name)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err = cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, log: log, done: make(chan struct{})}
	log.Debug().Str("process", name).Int("pid", cmd.Process.Pid).Msg("Started process")
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited returns a channel closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// ExitErr is the process's exit error once it has exited.
func (p *Process) ExitErr() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Stop sends SIGTERM to the process group, and SIGKILL if it has not exited
// after stopTimeout. It returns the exit error of a process that did not
// stop because it was told to (nil after a clean or signalled exit).
func (p *Process) Stop() error {
	pgid := p.cmd.Process.Pid
	select {
	case <-p.done:
		return p.unexpectedExit()
	default:
	}
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		p.log.Warn().Str("process", p.Name).Msg("Process did not stop after SIGTERM, killing its group")
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	p.log.Debug().Str("process", p.Name).Msg("Stopped process")
	return nil
}

func (p *Process) unexpectedExit() error {
	if p.err == nil {
		return nil
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) && !exitErr.Exited() {
		return nil // killed by a signal
	}
	return fmt.Errorf("%s exited: %w", p.Name, p.err)
}

// Tail returns the last n lines of the process's log file.
func (p *Process) Tail(n int) string { return tailFile(p.LogPath, n) }

// tailFile returns the last n lines of a file, or a note why it cannot.
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	const maxRead = 256 << 10
	if st, err := f.Stat(); err == nil && st.Size() > maxRead {
		_, _ = f.Seek(-maxRead, io.SeekEnd)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runTool runs a short-lived tool (generate-keys, wxbridge -g…) and returns
// its output, or an error with the output.
func runTool(ctx context.Context, dir string, stdin io.Reader, bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, bytes.TrimSpace(out.Bytes()))
	}
	return out.Bytes(), nil
}
