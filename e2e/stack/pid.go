package stack

// PID is the process ID of the running bridge, or 0 when it is not running
// (a benchmark reads its memory from /proc).
func (b *Bridge) PID() int {
	if b.proc == nil {
		return 0
	}
	return b.proc.cmd.Process.Pid
}

// PID is the process ID of the running Dendrite, or 0 when it is not running.
func (hs *Homeserver) PID() int {
	if hs.proc == nil {
		return 0
	}
	return hs.proc.cmd.Process.Pid
}
