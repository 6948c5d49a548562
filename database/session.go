package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/util/dbutil"
)

// SessionQuery is the stored Web WeChat session of each login
// (wechat_session). The state is bytes the bridge encodes and decodes (in
// bridge/session.go): this package does not know its shape. Besides Put,
// the inbox writes it, in the transaction of a sync's batch
// (InboxQuery.StoreBatch). The state holds secrets: it is never logged.
type SessionQuery struct {
	db *dbutil.Database
}

// secret carries session state into a query. dbutil can log query arguments
// at trace level; a secret shows up there as "[redacted]".
type secret []byte

func (s secret) Value() (driver.Value, error) { return []byte(s), nil }

func (secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

func (secret) String() string { return "[redacted]" }

const (
	getSessionQuery = `SELECT state FROM wechat_session WHERE login_id=$1`
	putSessionQuery = `
		INSERT INTO wechat_session (login_id, state, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (login_id) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at
	`
	deleteSessionQuery = `DELETE FROM wechat_session WHERE login_id=$1`
)

// Get returns the stored session state of a login, or (nil, nil).
func (q *SessionQuery) Get(ctx context.Context, loginID string) ([]byte, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	var state []byte
	err := q.db.QueryRow(ctx, getSessionQuery, loginID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("database: get session: %w", err)
	}
	if state == nil {
		state = []byte{}
	}
	return state, nil
}

// Put stores the session state of a login.
func (q *SessionQuery) Put(ctx context.Context, loginID string, state []byte) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	} else if state == nil {
		return fmt.Errorf("database: put session: nil state")
	}
	if err := q.put(ctx, loginID, state, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// put writes the state, in the transaction ctx carries if any.
func (q *SessionQuery) put(ctx context.Context, loginID string, state []byte, now int64) error {
	if _, err := q.db.Exec(ctx, putSessionQuery, loginID, secret(state), now); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// Delete forgets the session state of a login (after a logout). Pending
// inbox items are kept: they can still be bridged.
func (q *SessionQuery) Delete(ctx context.Context, loginID string) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	}
	if _, err := q.db.Exec(ctx, deleteSessionQuery, loginID); err != nil {
		return fmt.Errorf("database: delete session: %w", err)
	}
	return nil
}
