package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// pollInterval is how often waits look at the homeserver again.
const pollInterval = 200 * time.Millisecond

// Events returns every event of a room the user can see, oldest first,
// read with /messages forward from the room's start ("t0_0", Dendrite's
// first token), each event once. Not backward from the end: Dendrite
// 0.13.8's backward pagination leaves out an event that shares its depth
// with another (where the room's DAG forked, as when two senders send at
// the same moment), while its forward pagination only repeats events
// where pages meet. Contents are parsed, so Message() and Content.Parsed
// work.
func (u *User) Events(ctx context.Context, roomID id.RoomID) ([]*event.Event, error) {
	return RoomEvents(ctx, u.Client, roomID)
}

// RoomEvents is Events for any client that can read the room.
func RoomEvents(ctx context.Context, cli *mautrix.Client, roomID id.RoomID) ([]*event.Event, error) {
	var events []*event.Event
	seen := map[id.EventID]bool{}
	from := "t0_0"
	for range 100 {
		resp, err := cli.Messages(ctx, roomID, from, "", mautrix.DirectionForward, nil, 100)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", roomID, err)
		}
		for _, evt := range resp.Chunk {
			if seen[evt.ID] {
				continue
			}
			seen[evt.ID] = true
			evt.RoomID = roomID
			parseContent(evt)
			events = append(events, evt)
		}
		if len(resp.Chunk) == 0 || resp.End == "" || resp.End == from {
			break
		}
		from = resp.End
	}
	return events, nil
}

// parseContent parses an event's content into its typed struct.
func parseContent(evt *event.Event) {
	if evt.StateKey != nil {
		evt.Type.Class = event.StateEventType
	} else {
		evt.Type.Class = event.MessageEventType
	}
	_ = evt.Content.ParseRaw(evt.Type)
}

// Messages returns the m.room.message events of a room, oldest first.
func (u *User) Messages(ctx context.Context, roomID id.RoomID) ([]*event.Event, error) {
	events, err := u.Events(ctx, roomID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(events, func(evt *event.Event) bool { return evt.Type != event.EventMessage }), nil
}

// poll calls check until it reports done, for at most u.Wait. The error
// says what the user did not see, with check's last diagnostics.
func (u *User) poll(ctx context.Context, what string, check func(ctx context.Context) (done bool, diag string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, u.Wait)
	defer cancel()
	var diag string
	var lastErr error
	for {
		done, d, err := check(ctx)
		if done {
			return nil
		}
		if d != "" {
			diag = d
		}
		if err != nil && ctx.Err() == nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("%s did not see %s within %v", u.ID, what, u.Wait)
			if diag != "" {
				msg += "; what it saw: " + diag
			}
			if lastErr != nil {
				msg += "; last error: " + lastErr.Error()
			}
			u.mu.Lock()
			if u.syncErr != nil {
				msg += "; last sync error: " + u.syncErr.Error()
			}
			u.mu.Unlock()
			if !u.bridge.Running() {
				msg += "; the bridge process is not running"
			}
			return errors.New(msg)
		case <-time.After(pollInterval):
		}
	}
}

// WaitEvent waits for an event in a room that matches. what describes the
// event for the error message ("the QR code from the bot").
func (u *User) WaitEvent(ctx context.Context, roomID id.RoomID, what string, match func(*event.Event) bool) (*event.Event, error) {
	return u.WaitEventAfter(ctx, roomID, "", what, match)
}

// WaitEventAfter is WaitEvent for events after the event after (all events
// when after is empty), for example the replies to a command.
func (u *User) WaitEventAfter(ctx context.Context, roomID id.RoomID, after id.EventID, what string, match func(*event.Event) bool) (*event.Event, error) {
	var found *event.Event
	err := u.poll(ctx, what+" in "+roomID.String(), func(ctx context.Context) (bool, string, error) {
		events, err := u.Events(ctx, roomID)
		if err != nil {
			return false, "", err
		}
		events = After(events, after)
		for _, evt := range events {
			if match(evt) {
				found = evt
				return true, "", nil
			}
		}
		return false, Summarize(events, 12), nil
	})
	return found, err
}

// WaitEventAnyRoom waits for a matching event in any room the user joined.
func (u *User) WaitEventAnyRoom(ctx context.Context, what string, match func(*event.Event) bool) (*event.Event, error) {
	var found *event.Event
	err := u.poll(ctx, what+" in any room", func(ctx context.Context) (bool, string, error) {
		rooms, err := u.Client.JoinedRooms(ctx)
		if err != nil {
			return false, "", err
		}
		var diag []string
		for _, roomID := range rooms.JoinedRooms {
			events, err := u.Events(ctx, roomID)
			if err != nil {
				return false, "", err
			}
			for _, evt := range events {
				if match(evt) {
					found = evt
					return true, "", nil
				}
			}
			diag = append(diag, roomID.String()+": "+Summarize(events, 3))
		}
		return false, strings.Join(diag, " | "), nil
	})
	return found, err
}

// After returns the events after the one with ID after; all of them when
// after is empty, none when it is not there (yet).
func After(events []*event.Event, after id.EventID) []*event.Event {
	if after == "" {
		return events
	}
	for i, evt := range events {
		if evt.ID == after {
			return events[i+1:]
		}
	}
	return nil
}

// Summarize describes the last n events briefly, for failure messages.
func Summarize(events []*event.Event, n int) string {
	if len(events) > n {
		events = events[len(events)-n:]
	}
	parts := make([]string, 0, len(events))
	for _, evt := range events {
		parts = append(parts, Describe(evt))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// Describe is a one-line description of an event.
func Describe(evt *event.Event) string {
	s := evt.Sender.String() + " " + evt.Type.Type
	switch c := evt.Content.Parsed.(type) {
	case *event.MessageEventContent:
		body := c.Body
		if len(body) > 80 {
			body = body[:80] + "…"
		}
		s += fmt.Sprintf(" %s %q", c.MsgType, body)
		if c.RelatesTo != nil && c.RelatesTo.Type != "" {
			s += " (" + string(c.RelatesTo.Type) + " " + c.RelatesTo.EventID.String() + ")"
		}
	case *event.MemberEventContent:
		s += fmt.Sprintf(" %s %s", evt.GetStateKey(), c.Membership)
	case *event.RoomNameEventContent:
		s += fmt.Sprintf(" %q", c.Name)
	}
	return s
}

// Message returns the content of an m.room.message or m.sticker, or nil.
func Message(evt *event.Event) *event.MessageEventContent {
	if evt == nil || (evt.Type != event.EventMessage && evt.Type != event.EventSticker) {
		return nil
	}
	msg, _ := evt.Content.Parsed.(*event.MessageEventContent)
	return msg
}

// Text matches an m.room.message whose msgtype is one of msgTypes (any when
// none given) and whose body contains substr (case-insensitively), sent by
// sender ("" for anyone).
func Text(sender id.UserID, substr string, msgTypes ...event.MessageType) func(*event.Event) bool {
	return func(evt *event.Event) bool {
		msg := Message(evt)
		if msg == nil || (sender != "" && evt.Sender != sender) {
			return false
		}
		if len(msgTypes) > 0 && !slices.Contains(msgTypes, msg.MsgType) {
			return false
		}
		return strings.Contains(strings.ToLower(msg.Body), strings.ToLower(substr))
	}
}
