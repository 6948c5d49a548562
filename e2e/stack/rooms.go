package stack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// RoomInfo is what a user sees of a room, read from /state and
// /joined_members.
type RoomInfo struct {
	ID      id.RoomID
	Name    string
	IsSpace bool
	// Members are the joined members with their room display names.
	Members map[id.UserID]mautrix.JoinedMember
	// State is the room's current state.
	State mautrix.RoomStateMap
}

// Has reports whether mxid is a joined member.
func (ri *RoomInfo) Has(mxid id.UserID) bool {
	_, ok := ri.Members[mxid]
	return ok
}

// MemberNamed returns a joined member whose room display name is name.
func (ri *RoomInfo) MemberNamed(name string) (id.UserID, bool) {
	for mxid, m := range ri.Members {
		if m.DisplayName == name {
			return mxid, true
		}
	}
	return "", false
}

// SpaceChildren lists the rooms of m.space.child state events with a via.
func (ri *RoomInfo) SpaceChildren() []id.RoomID {
	var out []id.RoomID
	for key, evt := range ri.State[event.StateSpaceChild] {
		if c, ok := evt.Content.Parsed.(*event.SpaceChildEventContent); ok && len(c.Via) > 0 {
			out = append(out, id.RoomID(key))
		}
	}
	slices.Sort(out)
	return out
}

// String describes the room for failure messages.
func (ri *RoomInfo) String() string {
	members := make([]string, 0, len(ri.Members))
	for mxid, m := range ri.Members {
		members = append(members, fmt.Sprintf("%s(%s)", mxid, m.DisplayName))
	}
	slices.Sort(members)
	kind := ""
	if ri.IsSpace {
		kind = " space"
	}
	return fmt.Sprintf("%s%s %q members=%s", ri.ID, kind, ri.Name, strings.Join(members, ","))
}

// Room reads a room's state and joined members.
func (u *User) Room(ctx context.Context, roomID id.RoomID) (*RoomInfo, error) {
	state, err := u.Client.State(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("state of %s: %w", roomID, err)
	}
	members, err := u.Client.JoinedMembers(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", roomID, err)
	}
	ri := &RoomInfo{ID: roomID, Members: members.Joined, State: state}
	if evt := state[event.StateRoomName][""]; evt != nil {
		if c, ok := evt.Content.Parsed.(*event.RoomNameEventContent); ok {
			ri.Name = c.Name
		}
	}
	if evt := state[event.StateCreate][""]; evt != nil {
		if c, ok := evt.Content.Parsed.(*event.CreateEventContent); ok {
			ri.IsSpace = c.Type == event.RoomTypeSpace
		}
	}
	return ri, nil
}

// Rooms reads every room the user has joined.
func (u *User) Rooms(ctx context.Context) ([]*RoomInfo, error) {
	resp, err := u.Client.JoinedRooms(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*RoomInfo, 0, len(resp.JoinedRooms))
	for _, roomID := range resp.JoinedRooms {
		ri, err := u.Room(ctx, roomID)
		if err != nil {
			return nil, err
		}
		out = append(out, ri)
	}
	return out, nil
}

// WaitRoom waits until the user has joined a room that matches.
func (u *User) WaitRoom(ctx context.Context, what string, match func(*RoomInfo) bool) (*RoomInfo, error) {
	var found *RoomInfo
	err := u.poll(ctx, what, func(ctx context.Context) (bool, string, error) {
		rooms, err := u.Rooms(ctx)
		if err != nil {
			return false, "", err
		}
		var seen []string
		for _, ri := range rooms {
			if match(ri) {
				found = ri
				return true, "", nil
			}
			seen = append(seen, ri.String())
		}
		return false, "joined rooms: " + strings.Join(seen, " | "), nil
	})
	return found, err
}

// WaitRoomNamed waits until the user has joined a room (not a space)
// with this name, where all of members (may be none) are joined.
func (u *User) WaitRoomNamed(ctx context.Context, name string, members ...id.UserID) (*RoomInfo, error) {
	return u.WaitRoom(ctx, fmt.Sprintf("a room named %q with members %v", name, members), func(ri *RoomInfo) bool {
		if ri.IsSpace || ri.Name != name {
			return false
		}
		for _, m := range members {
			if !ri.Has(m) {
				return false
			}
		}
		return true
	})
}

// WaitJoined waits until every one of members has joined the room.
func (u *User) WaitJoined(ctx context.Context, roomID id.RoomID, members ...id.UserID) error {
	return u.poll(ctx, fmt.Sprintf("%v joined in %s", members, roomID), func(ctx context.Context) (bool, string, error) {
		resp, err := u.Client.JoinedMembers(ctx, roomID)
		if err != nil {
			return false, "", err
		}
		var have []string
		for m := range resp.Joined {
			have = append(have, m.String())
		}
		for _, m := range members {
			if _, ok := resp.Joined[m]; !ok {
				return false, "joined: " + strings.Join(have, ","), nil
			}
		}
		return true, "", nil
	})
}

// StateEvent reads one state event's content; found is false on 404.
func (u *User) StateEvent(ctx context.Context, roomID id.RoomID, evtType event.Type, stateKey string, out any) (found bool, err error) {
	err = u.Client.StateEvent(ctx, roomID, evtType, stateKey, out)
	var httpErr mautrix.HTTPError
	if errors.As(err, &httpErr) && httpErr.Response != nil && httpErr.Response.StatusCode == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// WaitState waits until the room's current state event of this type and
// state key matches.
func (u *User) WaitState(ctx context.Context, roomID id.RoomID, evtType event.Type, stateKey, what string, match func(*event.Event) bool) (*event.Event, error) {
	var found *event.Event
	err := u.poll(ctx, what+" in "+roomID.String(), func(ctx context.Context) (bool, string, error) {
		state, err := u.Client.State(ctx, roomID)
		if err != nil {
			return false, "", err
		}
		evt := state[evtType][stateKey]
		if evt != nil && match(evt) {
			found = evt
			return true, "", nil
		}
		if evt == nil {
			return false, "no such state event", nil
		}
		return false, "current: " + Describe(evt), nil
	})
	return found, err
}
