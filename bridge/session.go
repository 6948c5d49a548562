package bridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wxbridge/wxbridge/wechat"
)

// The Web WeChat session of a login is stored as JSON in database's session
// store (DB.Session), and written with each inbox batch (storeBatch). This
// file is the one place that encodes and decodes it.

// encodeSession is the stored form of a session.
func encodeSession(sess *wechat.Session) ([]byte, error) {
	state, err := json.Marshal(sess)
	if err != nil {
		return nil, fmt.Errorf("encoding session: %w", err)
	}
	return state, nil
}

// decodeSession reads a stored session. One that cannot be used to log in
// is wechat.ErrNotLoggedIn.
func decodeSession(state []byte) (*wechat.Session, error) {
	var sess wechat.Session
	if err := json.Unmarshal(state, &sess); err != nil {
		return nil, fmt.Errorf("stored session is not valid JSON: %w", err)
	}
	if !sess.Valid() {
		return nil, wechat.ErrNotLoggedIn
	}
	return &sess, nil
}

// loadSession reads the stored session of a login: wechat.ErrNotLoggedIn
// when there is none or it is not usable.
func (wc *WeChatConnector) loadSession(ctx context.Context, loginID string) (*wechat.Session, error) {
	state, err := wc.DB.Session.Get(ctx, loginID)
	if err != nil {
		return nil, err
	} else if state == nil {
		return nil, wechat.ErrNotLoggedIn
	}
	return decodeSession(state)
}

// saveSession stores the session of a login.
func (wc *WeChatConnector) saveSession(ctx context.Context, loginID string, sess *wechat.Session) error {
	state, err := encodeSession(sess)
	if err != nil {
		return err
	}
	if err = wc.DB.Session.Put(ctx, loginID, state); err != nil {
		return fmt.Errorf("storing session: %w", err)
	}
	return nil
}
