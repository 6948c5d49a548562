package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/util/dbutil"
)

// FriendRequestState is where a friend request stands.
type FriendRequestState string

const (
	// FriendRequestPending has not been answered from the bridge.
	FriendRequestPending FriendRequestState = "pending"
	// FriendRequestAccepted was accepted from the bridge.
	FriendRequestAccepted FriendRequestState = "accepted"
	// FriendRequestExpired can no longer be accepted from the bridge:
	// WeChat refused it, or it belongs to an earlier session.
	FriendRequestExpired FriendRequestState = "expired"
)

// MaxTicketLen bounds a verification ticket (real ones are about 100 bytes).
const MaxTicketLen = 1024

// ErrInvalidFriendRequest is returned for requests Put refuses.
var ErrInvalidFriendRequest = errors.New("database: invalid friend request")

// FriendRequest is a friend request of a login, as stored in
// wechat_friend_request.
type FriendRequest struct {
	LoginID string
	// Num is the number the user accepts the request by: assigned by Put,
	// per login, never reused.
	Num int
	// Requester identifies the person across deliveries: their real id
	// when WeChat sends it, else (or when it is malformed) UserName.
	Requester string
	// UserName and Ticket are what accepting needs; they are only valid in
	// the session whose self UserName is SelfUserName.
	UserName     string
	Ticket       string
	SelfUserName string
	NickName     string
	Alias        string
	Province     string
	City         string
	Greeting     string
	State        FriendRequestState
	ReceivedAt   time.Time
	UpdatedAt    time.Time
}

var _ dbutil.DataStruct[*FriendRequest] = (*FriendRequest)(nil)

// FriendRequestQuery reads and writes wechat_friend_request.
type FriendRequestQuery struct {
	*dbutil.QueryHelper[*FriendRequest]
}

const friendRequestColumns = `login_id, num, requester, user_name, ticket, self_user_name, nick_name, alias, province, city, greeting, state, received_at, updated_at`

const (
	getFriendRequestQuery            = `SELECT ` + friendRequestColumns + ` FROM wechat_friend_request WHERE login_id=$1 AND num=$2`
	getFriendRequestByRequesterQuery = `SELECT ` + friendRequestColumns + ` FROM wechat_friend_request WHERE login_id=$1 AND requester=$2`
	listFriendRequestsQuery          = `SELECT ` + friendRequestColumns + ` FROM wechat_friend_request WHERE login_id=$1 AND state=$2 ORDER BY num`
	nextFriendRequestNumQuery        = `SELECT COALESCE(MAX(num), 0) + 1 FROM wechat_friend_request WHERE login_id=$1`
	insertFriendRequestQuery         = `
		INSERT INTO wechat_friend_request (` + friendRequestColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
	`
	updateFriendRequestQuery = `
		UPDATE wechat_friend_request SET user_name=$3, ticket=$4, self_user_name=$5, nick_name=$6, alias=$7,
			province=$8, city=$9, greeting=$10, state=$11, received_at=$12, updated_at=$13
		WHERE login_id=$1 AND num=$2
	`
	setFriendRequestStateQuery = `UPDATE wechat_friend_request SET state=$3, updated_at=$4 WHERE login_id=$1 AND num=$2`
)

// Scan reads one row in friendRequestColumns order.
func (fr *FriendRequest) Scan(row dbutil.Scannable) (*FriendRequest, error) {
	var receivedAt, updatedAt int64
	err := row.Scan(&fr.LoginID, &fr.Num, &fr.Requester, &fr.UserName, &fr.Ticket, &fr.SelfUserName,
		&fr.NickName, &fr.Alias, &fr.Province, &fr.City, &fr.Greeting, &fr.State, &receivedAt, &updatedAt)
	if err != nil {
		return nil, err
	}
	fr.ReceivedAt = time.UnixMilli(receivedAt)
	fr.UpdatedAt = time.UnixMilli(updatedAt)
	return fr, nil
}

// sqlVariables lists the columns in friendRequestColumns order.
func (fr *FriendRequest) sqlVariables() []any {
	return []any{fr.LoginID, fr.Num, fr.Requester, fr.UserName, fr.Ticket, fr.SelfUserName,
		fr.NickName, fr.Alias, fr.Province, fr.City, fr.Greeting, string(fr.State),
		fr.ReceivedAt.UnixMilli(), fr.UpdatedAt.UnixMilli()}
}

// normalizeFriendRequest validates the keys of fr and returns a sanitised
// copy. An empty or malformed Requester becomes UserName, a malformed
// SelfUserName "" (unknown).
func normalizeFriendRequest(fr *FriendRequest) (FriendRequest, error) {
	if err := checkLoginID(fr.LoginID); err != nil {
		return FriendRequest{}, err
	}
	if err := checkUserName(fr.UserName); err != nil {
		return FriendRequest{}, fmt.Errorf("%w: %w", ErrInvalidFriendRequest, err)
	}
	if err := checkKey(fr.Ticket, MaxTicketLen); err != nil {
		return FriendRequest{}, fmt.Errorf("%w: ticket: %w", ErrInvalidFriendRequest, err)
	}
	out := FriendRequest{
		LoginID:    fr.LoginID,
		Requester:  fr.Requester,
		UserName:   fr.UserName,
		Ticket:     fr.Ticket,
		NickName:   sanitizeField(fr.NickName),
		Alias:      sanitizeField(fr.Alias),
		Province:   sanitizeField(fr.Province),
		City:       sanitizeField(fr.City),
		Greeting:   sanitizeField(fr.Greeting),
		ReceivedAt: fr.ReceivedAt,
	}
	if checkUserName(out.Requester) != nil {
		// The real id is optional detail from the request's XML.
		out.Requester = out.UserName
	}
	if checkUserName(fr.SelfUserName) == nil {
		out.SelfUserName = fr.SelfUserName
	}
	return out, nil
}

// Put stores a friend request that just arrived and returns it as stored,
// with its number and state. A request from a requester the login already
// has a row for updates that row and keeps its number; it is pending again
// unless it is the same request (same ticket) delivered twice. Invalid input
// is an ErrInvalidFriendRequest or ErrInvalidLoginID; names and greeting are
// sanitised, not refused. A zero ReceivedAt means now.
func (q *FriendRequestQuery) Put(ctx context.Context, fr *FriendRequest) (*FriendRequest, error) {
	row, err := normalizeFriendRequest(fr)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if row.ReceivedAt.IsZero() {
		row.ReceivedAt = now
	}
	row.UpdatedAt = now
	row.State = FriendRequestPending
	err = q.GetDB().DoTxn(ctx, nil, func(ctx context.Context) error {
		prev, err := q.QueryOne(ctx, getFriendRequestByRequesterQuery, row.LoginID, row.Requester)
		if err != nil {
			return fmt.Errorf("look up requester: %w", err)
		}
		if prev != nil {
			row.Num = prev.Num
			if prev.Ticket == row.Ticket {
				row.State = prev.State
			}
			vars := row.sqlVariables()
			// Not login_id, num, requester: they identify the row.
			return q.Exec(ctx, updateFriendRequestQuery, append(vars[:2:2], vars[3:]...)...)
		}
		if err = q.GetDB().QueryRow(ctx, nextFriendRequestNumQuery, row.LoginID).Scan(&row.Num); err != nil {
			return fmt.Errorf("next number: %w", err)
		}
		return q.Exec(ctx, insertFriendRequestQuery, row.sqlVariables()...)
	})
	if err != nil {
		return nil, fmt.Errorf("database: put friend request: %w", err)
	}
	return &row, nil
}

// Get returns the request of a login with a number, or (nil, nil).
func (q *FriendRequestQuery) Get(ctx context.Context, loginID string, num int) (*FriendRequest, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	fr, err := q.QueryOne(ctx, getFriendRequestQuery, loginID, num)
	if err != nil {
		return nil, fmt.Errorf("database: get friend request: %w", err)
	}
	return fr, nil
}

// List returns the requests of a login in a state, by number.
func (q *FriendRequestQuery) List(ctx context.Context, loginID string, state FriendRequestState) ([]*FriendRequest, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	list, err := q.QueryMany(ctx, listFriendRequestsQuery, loginID, string(state))
	if err != nil {
		return nil, fmt.Errorf("database: list friend requests: %w", err)
	}
	return list, nil
}

// SetState records that a request was accepted or expired (or is pending
// again). Setting the state of a number that does not exist is no error.
func (q *FriendRequestQuery) SetState(ctx context.Context, loginID string, num int, state FriendRequestState) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	}
	switch state {
	case FriendRequestPending, FriendRequestAccepted, FriendRequestExpired:
	default:
		return fmt.Errorf("%w: state %q", ErrInvalidFriendRequest, state)
	}
	if err := q.Exec(ctx, setFriendRequestStateQuery, loginID, num, string(state), time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("database: set friend request state: %w", err)
	}
	return nil
}
