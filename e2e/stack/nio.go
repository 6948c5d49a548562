package stack

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// NioPythonEnv names the Python interpreter that has matrix-nio and
// python-olm; unset means Debian's /usr/bin/python3 (apt-get install
// python3-matrix-nio python3-olm).
const NioPythonEnv = "WXBRIDGE_E2E_PYTHON"

// Nio is a Matrix client with end-to-end encryption: matrix-nio with libolm,
// run as e2e/nio/driver.py and driven over its stdin and stdout. It is the
// user's own device, as Element would be, so it reads and writes encrypted
// rooms as a user does; the stack's User (mautrix.Client, no crypto) can
// still read room state and send commands in unencrypted rooms.
type Nio struct {
	UserID   id.UserID
	DeviceID id.DeviceID
	// Wait bounds each Wait… call and each request.
	Wait time.Duration

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	done   chan struct{} // closed when the process exited
	log    zerolog.Logger

	mu      sync.Mutex
	next    int
	pending map[int]chan nioReply
	closed  bool
}

type nioReply struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// NioEvent is an event of a room's timeline as the nio client saw it, with
// the decrypted content of an encrypted event.
type NioEvent struct {
	ID     id.EventID `json:"event_id"`
	Sender id.UserID  `json:"sender"`
	// Type is the decrypted event's type (m.room.message, not
	// m.room.encrypted) when the client decrypted it.
	Type string `json:"type"`
	// Encrypted: the event came encrypted and the client decrypted it.
	Encrypted bool `json:"encrypted"`
	// Undecryptable: the event came encrypted and the client could not
	// decrypt it.
	Undecryptable bool            `json:"undecryptable"`
	Content       json.RawMessage `json:"content"`
	Redacts       id.EventID      `json:"redacts"`
	Timestamp     int64           `json:"origin_server_ts"`
}

// Message is the event's m.room.message content, or nil.
func (e NioEvent) Message() *event.MessageEventContent {
	if e.Type != event.EventMessage.Type {
		return nil
	}
	var msg event.MessageEventContent
	if json.Unmarshal(e.Content, &msg) != nil {
		return nil
	}
	return &msg
}

// NioRoom is a room as the nio client knows it.
type NioRoom struct {
	Encrypted bool        `json:"encrypted"`
	Algorithm string      `json:"algorithm"`
	Members   []id.UserID `json:"members"`
}

// NioScript is the path of the driver script, found next to this package.
func NioScript() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "nio", "driver.py")
}

// NioPython is the interpreter the driver runs with.
func NioPython() string {
	if p := os.Getenv(NioPythonEnv); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// ErrNoNio means the Python packages of the nio client are missing.
var ErrNoNio = errors.New("stack: matrix-nio with python-olm is not installed")

// CheckNio reports whether NioPython has the nio and olm modules (without
// importing them, which takes a second).
func CheckNio(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, NioPython(), "-c",
		"import importlib.util as u, sys; sys.exit(0 if u.find_spec('nio') and u.find_spec('olm') else 'no module nio or olm')").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w for %s (apt-get install python3-matrix-nio python3-olm, or set %s): %v: %s",
			ErrNoNio, NioPython(), NioPythonEnv, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// StartNio starts the driver with its store in storeDir and logs it in as
// localpart, a stack account, with a new device. The client joins every
// invite from then on. Close stops it.
func (s *Stack) StartNio(ctx context.Context, localpart, storeDir string) (*Nio, error) {
	password := s.Password(localpart)
	if password == "" {
		return nil, fmt.Errorf("no account %q was created by the stack", localpart)
	}
	cmd := exec.Command(NioPython(), "-u", NioScript())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	n := &Nio{Wait: DefaultWait, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{}), pending: make(map[int]chan nioReply),
		log: s.log.With().Str("component", "nio").Str("matrix_user", localpart).Logger()}
	cmd.Stderr = n.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	n.stdin = stdin
	if err = cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the nio driver: %w", err)
	}
	go n.readReplies(stdout)
	var resp struct {
		UserID   id.UserID   `json:"user_id"`
		DeviceID id.DeviceID `json:"device_id"`
	}
	err = n.call(ctx, &resp, "login", map[string]any{
		"homeserver": s.HS.URL, "user": localpart, "password": password,
		"store_dir": storeDir, "device_name": "nio e2e",
	})
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("nio login as %s: %w; its log:\n%s", localpart, err, n.Stderr(30))
	}
	n.UserID, n.DeviceID = resp.UserID, resp.DeviceID
	n.log.Info().Stringer("device_id", n.DeviceID).Msg("nio client logged in")
	return n, nil
}

// readReplies hands each answer line to the request waiting for it.
func (n *Nio) readReplies(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		var r struct {
			ID int `json:"id"`
			nioReply
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			n.log.Warn().Err(err).Msg("nio driver wrote a line that is not an answer")
			continue
		}
		n.mu.Lock()
		ch := n.pending[r.ID]
		delete(n.pending, r.ID)
		n.mu.Unlock()
		if ch != nil {
			ch <- r.nioReply
		}
	}
	_ = n.cmd.Wait()
	close(n.done)
}

// call sends a request and decodes its result into out (nil to drop it).
func (n *Nio) call(ctx context.Context, out any, cmd string, args map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, n.Wait+5*time.Second)
	defer cancel()
	req := map[string]any{"cmd": cmd}
	for k, v := range args {
		req[k] = v
	}
	ch := make(chan nioReply, 1)
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return errors.New("the nio client is closed")
	}
	n.next++
	req["id"] = n.next
	n.pending[n.next] = ch
	line, err := json.Marshal(req)
	if err == nil {
		_, err = n.stdin.Write(append(line, '\n'))
	}
	n.mu.Unlock()
	if err != nil {
		return fmt.Errorf("nio %s: %w", cmd, err)
	}
	select {
	case r := <-ch:
		if !r.OK {
			return fmt.Errorf("nio %s: %s", cmd, r.Error)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(r.Result, out)
	case <-n.done:
		return fmt.Errorf("nio %s: the driver exited; its log:\n%s", cmd, n.Stderr(30))
	case <-ctx.Done():
		return fmt.Errorf("nio %s: no answer: %w", cmd, ctx.Err())
	}
}

// Close ends the driver (its stdin closes; SIGKILL if it lingers).
func (n *Nio) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	n.stdin.Close()
	n.mu.Unlock()
	select {
	case <-n.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-n.done
	}
}

// Stderr is the last lines the driver logged.
func (n *Nio) Stderr(lines int) string {
	all := strings.Split(strings.TrimRight(n.stderr.String(), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// WaitRoom waits until the client has joined a room and returns what it
// knows of it.
func (n *Nio) WaitRoom(ctx context.Context, roomID id.RoomID) (*NioRoom, error) {
	var room NioRoom
	err := n.call(ctx, &room, "wait_room", map[string]any{"room_id": roomID, "timeout": n.Wait.Seconds()})
	return &room, err
}

// SendContent sends an m.room.message, encrypted in an encrypted room (it
// waits until the client knows the room is encrypted). Devices need not be
// verified.
func (n *Nio) SendContent(ctx context.Context, roomID id.RoomID, content *event.MessageEventContent) (id.EventID, error) {
	var resp struct {
		EventID id.EventID `json:"event_id"`
	}
	err := n.call(ctx, &resp, "send", map[string]any{"room_id": roomID, "content": content})
	return resp.EventID, err
}

// SendText sends a plain m.text.
func (n *Nio) SendText(ctx context.Context, roomID id.RoomID, text string) (id.EventID, error) {
	return n.SendContent(ctx, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

// SendReply sends an m.text replying to an event.
func (n *Nio) SendReply(ctx context.Context, roomID id.RoomID, to id.EventID, text string) (id.EventID, error) {
	return n.SendContent(ctx, roomID, &event.MessageEventContent{
		MsgType: event.MsgText, Body: text,
		RelatesTo: &event.RelatesTo{InReplyTo: &event.InReplyTo{EventID: to}},
	})
}

// SendImage uploads an image encrypted and sends it as an m.image.
func (n *Nio) SendImage(ctx context.Context, roomID id.RoomID, data []byte, mimetype, name string, width, height int) (id.EventID, *event.EncryptedFileInfo, error) {
	var resp struct {
		EventID id.EventID               `json:"event_id"`
		File    *event.EncryptedFileInfo `json:"file"`
	}
	err := n.call(ctx, &resp, "send_image", map[string]any{
		"room_id": roomID, "data": base64.StdEncoding.EncodeToString(data),
		"mimetype": mimetype, "name": name, "width": width, "height": height,
	})
	return resp.EventID, resp.File, err
}

// Redact redacts an event and returns the redaction's event ID.
func (n *Nio) Redact(ctx context.Context, roomID id.RoomID, evtID id.EventID, reason string) (id.EventID, error) {
	var resp struct {
		EventID id.EventID `json:"event_id"`
	}
	err := n.call(ctx, &resp, "redact", map[string]any{"room_id": roomID, "event_id": evtID, "reason": reason})
	return resp.EventID, err
}

// MarkRead moves the user's read receipt and read marker to an event.
func (n *Nio) MarkRead(ctx context.Context, roomID id.RoomID, evtID id.EventID) error {
	return n.call(ctx, nil, "read", map[string]any{"room_id": roomID, "event_id": evtID})
}

// Events is every timeline event of a room the client saw since it logged
// in, oldest first, decrypted where it could.
func (n *Nio) Events(ctx context.Context, roomID id.RoomID) ([]NioEvent, error) {
	var resp struct {
		Events []NioEvent `json:"events"`
	}
	err := n.call(ctx, &resp, "events", map[string]any{"room_id": roomID})
	return resp.Events, err
}

// Count is how many of a room's events match.
func (n *Nio) Count(ctx context.Context, roomID id.RoomID, match func(NioEvent) bool) (int, error) {
	evts, err := n.Events(ctx, roomID)
	if err != nil {
		return 0, err
	}
	c := 0
	for _, e := range evts {
		if match(e) {
			c++
		}
	}
	return c, nil
}

// WaitEvent waits for an event in a room that matches; what describes it
// for the error.
func (n *Nio) WaitEvent(ctx context.Context, roomID id.RoomID, what string, match func(NioEvent) bool) (NioEvent, error) {
	evts, err := n.WaitEvents(ctx, roomID, what, 1, match)
	if err != nil {
		return NioEvent{}, err
	}
	return evts[0], nil
}

// WaitEvents waits until at least count events of a room match and
// returns the matching events.
func (n *Nio) WaitEvents(ctx context.Context, roomID id.RoomID, what string, count int, match func(NioEvent) bool) ([]NioEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, n.Wait)
	defer cancel()
	var seen []NioEvent
	for {
		evts, err := n.Events(ctx, roomID)
		if err == nil {
			seen = evts
			var found []NioEvent
			for _, e := range evts {
				if match(e) {
					found = append(found, e)
				}
			}
			if len(found) >= count {
				return found, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the nio client did not see %s in %s within %v; it saw: %s", what, roomID, n.Wait, summarizeNio(seen, 12))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DecryptedText matches a decrypted m.room.message from sender ("" for
// anyone) whose body is body.
func DecryptedText(sender id.UserID, body string) func(NioEvent) bool {
	return func(e NioEvent) bool {
		msg := e.Message()
		return e.Encrypted && msg != nil && msg.Body == body && (sender == "" || e.Sender == sender)
	}
}

// Download fetches an encrypted attachment and decrypts it (checking its
// hash).
func (n *Nio) Download(ctx context.Context, file *event.EncryptedFileInfo) ([]byte, error) {
	var resp struct {
		Data []byte `json:"data"`
	}
	err := n.call(ctx, &resp, "download", map[string]any{"file": file})
	return resp.Data, err
}

// Devices is the device IDs the client knows for a user (the ones it
// encrypts room keys for).
func (n *Nio) Devices(ctx context.Context, user id.UserID) ([]id.DeviceID, error) {
	var resp struct {
		Devices []id.DeviceID `json:"devices"`
	}
	err := n.call(ctx, &resp, "devices", map[string]any{"user_id": user})
	return resp.Devices, err
}

func summarizeNio(evts []NioEvent, last int) string {
	if len(evts) > last {
		evts = evts[len(evts)-last:]
	}
	var parts []string
	for _, e := range evts {
		desc := e.Type
		if msg := e.Message(); msg != nil {
			desc = fmt.Sprintf("%s %q", msg.MsgType, msg.Body)
		}
		if e.Undecryptable {
			desc = "undecryptable"
		}
		parts = append(parts, fmt.Sprintf("%s from %s (encrypted=%v)", desc, e.Sender, e.Encrypted))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// syncBuffer is a bytes.Buffer safe for a writer and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
