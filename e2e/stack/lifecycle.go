package stack

import (
	"context"
	"errors"
	"syscall"
)

// Kill kills the bridge with SIGKILL, as a crash or the OOM killer would:
// nothing is flushed or closed. Start runs it again on the same database.
func (b *Bridge) Kill() error {
	if b.proc == nil {
		return errors.New("bridge is not running")
	}
	_ = syscall.Kill(-b.proc.cmd.Process.Pid, syscall.SIGKILL)
	<-b.proc.Exited()
	b.log.Info().Msg("Killed the bridge")
	b.proc = nil
	return nil
}

// Start starts a stopped Dendrite again on the same database.
func (hs *Homeserver) Start(ctx context.Context) error {
	if hs.proc != nil {
		return errors.New("dendrite is already running")
	}
	return hs.start(ctx)
}
