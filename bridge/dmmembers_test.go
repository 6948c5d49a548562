package bridge

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/bridge/wxid"
)

// joinRecorder is a ghost's intent that records the rooms it joins.
type joinRecorder struct {
	bridgev2.MatrixAPI
	mxid   id.UserID
	mu     sync.Mutex
	joined []id.RoomID
}

func (j *joinRecorder) GetMXID() id.UserID { return j.mxid }

func (j *joinRecorder) EnsureJoined(_ context.Context, room id.RoomID, _ ...bridgev2.EnsureJoinedParams) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.joined = append(j.joined, room)
	return nil
}

// TestDMMembership: a direct chat is the user and one contact on WeChat,
// so kicking the contact's ghost is undone and inviting someone else is
// withdrawn, each with a notice; inviting the contact back lets them join.
func TestDMMembership(t *testing.T) {
	const room = id.RoomID("!dm:example.com")
	tests := []struct {
		name       string
		target     networkid.UserID
		to         event.Membership
		wantErr    error
		wantJoined []id.RoomID
		wantNotice string
	}{
		{"kick the contact", puidA, event.MembershipLeave, errDMMembersFixed, []id.RoomID{room},
			"A WeChat direct chat is between you and Alice, who cannot be removed from it, so they are back in the room. To stop seeing this chat, leave the room or send `delete-portal` here."},
		{"invite someone else", puidB, event.MembershipInvite, errDMMembersFixed, nil,
			"A WeChat direct chat has only two people, so Alice was not added. To write to them, invite their ghost to a new direct chat; to talk with both, start a group on your phone."},
		{"invite the contact back", puidA, event.MembershipInvite, nil, []id.RoomID{room}, ""},
		{"kick a stray ghost", puidB, event.MembershipLeave, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBridge(t)
			c := friendTestClient(t, tb)
			intent := &joinRecorder{mxid: "@wechat_" + id.UserID(tt.target) + ":example.com"}
			ghost := &bridgev2.Ghost{Ghost: &database.Ghost{ID: tt.target, Name: "Alice"}, Intent: intent}
			portal := &bridgev2.Portal{Portal: &database.Portal{
				PortalKey: wxid.MakePortalKey(puidA, testLoginID), MXID: room, RoomType: database.RoomTypeDM, OtherUserID: wxid.MakeUserID(puidA),
			}}
			msg := &bridgev2.MatrixMembershipChange{
				MatrixRoomMeta: bridgev2.MatrixRoomMeta[*event.MemberEventContent]{MatrixEventBase: bridgev2.MatrixEventBase[*event.MemberEventContent]{
					Event:   &event.Event{ID: "$member", Type: event.StateMember, RoomID: room, Sender: testAdmin},
					Content: &event.MemberEventContent{Membership: tt.to},
					Portal:  portal,
				}},
				Target: ghost,
				Type:   bridgev2.MembershipChangeType{From: event.MembershipJoin, To: tt.to},
			}

			res, err := c.HandleMatrixMembership(tb.br.BackgroundCtx, msg)
			assert.Nil(t, res)
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantJoined, intent.joined)
			if tt.wantNotice == "" {
				assert.Empty(t, tb.bot.replies)
				return
			}
			assert.Equal(t, tt.wantNotice, tb.bot.lastReply(t))
		})
	}
}
