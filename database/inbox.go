package database

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"go.mau.fi/util/dbutil"
)

// InboxItem is one raw event of a sync, waiting to be bridged.
type InboxItem struct {
	LoginID string
	// Seq orders the items of a login; it is assigned on store.
	Seq int64
	// MsgID is the NewMsgId (never a float: it exceeds 2^53), or 0 for
	// events without one. Items with a MsgID are stored at most once.
	MsgID int64
	// Payload is the raw JSON of the event.
	Payload   []byte
	CreatedAt time.Time
}

var _ dbutil.DataStruct[*InboxItem] = (*InboxItem)(nil)

// InboxQuery is the durable inbox (wechat_inbox) of each login. A sync's
// events and the session state that follows them (with the new SyncKey) are
// written together, the state through session, so after a crash either
// both or neither are there: nothing is lost and, with deduplication by
// message ID downstream, nothing is doubled.
type InboxQuery struct {
	*dbutil.QueryHelper[*InboxItem]
	session *SessionQuery
}

// ErrInvalidInboxItem is returned for items StoreBatch refuses.
var ErrInvalidInboxItem = errors.New("database: invalid inbox item")

const (
	insertInboxItemQuery = `
		INSERT INTO wechat_inbox (login_id, msg_id, payload, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING
	`
	pendingInboxQuery = `
		SELECT login_id, seq, msg_id, payload, created_at FROM wechat_inbox
		WHERE login_id=$1 AND seq>$2 ORDER BY seq LIMIT $3
	`
	deleteInboxItemQuery = `DELETE FROM wechat_inbox WHERE login_id=$1 AND seq=$2`
	countInboxQuery      = `SELECT COUNT(*) FROM wechat_inbox WHERE login_id=$1`
	inboxStatsQuery      = `SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM wechat_inbox`
)

// Scan reads one row of pendingInboxQuery.
func (it *InboxItem) Scan(row dbutil.Scannable) (*InboxItem, error) {
	var createdAt int64
	if err := row.Scan(&it.LoginID, &it.Seq, &it.MsgID, &it.Payload, &createdAt); err != nil {
		return nil, err
	}
	it.CreatedAt = time.UnixMilli(createdAt)
	return it, nil
}

// StoreBatch writes the items of one sync, in order, and the session state
// that follows them in one transaction. Items whose MsgID is already in the
// inbox are skipped, so storing a batch again is harmless. A nil state
// leaves the stored session alone. The state holds secrets: it is never
// logged.
func (q *InboxQuery) StoreBatch(ctx context.Context, loginID string, state []byte, items []InboxItem) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	}
	for i := range items {
		if len(items[i].Payload) == 0 {
			return fmt.Errorf("%w: item %d has an empty payload", ErrInvalidInboxItem, i)
		}
	}
	now := time.Now().UnixMilli()
	err := q.GetDB().DoTxn(ctx, nil, func(ctx context.Context) error {
		for i := range items {
			if _, err := q.GetDB().Exec(ctx, insertInboxItemQuery, loginID, items[i].MsgID, items[i].Payload, now); err != nil {
				return fmt.Errorf("insert item %d: %w", i, err)
			}
		}
		if state != nil {
			return q.session.put(ctx, loginID, state, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("database: store inbox batch: %w", err)
	}
	return nil
}

// Pending returns up to limit items of a login in store order whose Seq is
// greater than after (limit <= 0: all of them). A drain reads the inbox in
// windows, passing the last Seq it has seen, so items it left in place are
// not read again in the same pass.
func (q *InboxQuery) Pending(ctx context.Context, loginID string, after int64, limit int) ([]*InboxItem, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = math.MaxInt32
	}
	items, err := q.QueryMany(ctx, pendingInboxQuery, loginID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("database: list pending inbox items: %w", err)
	}
	return items, nil
}

// Count returns how many items of a login are pending.
func (q *InboxQuery) Count(ctx context.Context, loginID string) (int, error) {
	var n int
	if err := q.GetDB().QueryRow(ctx, countInboxQuery, loginID).Scan(&n); err != nil {
		return 0, fmt.Errorf("database: count inbox items: %w", err)
	}
	return n, nil
}

// InboxStats is what waits in the inbox, all logins together.
type InboxStats struct {
	Items int
	// Oldest is when the oldest waiting item was stored; zero when none.
	Oldest time.Time
}

// Stats counts the items of every login and finds the oldest (for metrics:
// a backlog, or an item that keeps failing, shows as its age).
func (q *InboxQuery) Stats(ctx context.Context) (InboxStats, error) {
	var st InboxStats
	var oldest int64
	if err := q.GetDB().QueryRow(ctx, inboxStatsQuery).Scan(&st.Items, &oldest); err != nil {
		return InboxStats{}, fmt.Errorf("database: inbox stats: %w", err)
	}
	if st.Items > 0 {
		st.Oldest = time.UnixMilli(oldest)
	}
	return st, nil
}

// Done deletes an item once it has been bridged. Deleting an item that is
// already gone is not an error.
func (q *InboxQuery) Done(ctx context.Context, loginID string, seq int64) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	}
	if err := q.Exec(ctx, deleteInboxItemQuery, loginID, seq); err != nil {
		return fmt.Errorf("database: delete inbox item: %w", err)
	}
	return nil
}
