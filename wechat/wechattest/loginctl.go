package wechattest

import (
	"context"
	"errors"
)

var (
	// ErrUnknownLogin means no login has that uuid.
	ErrUnknownLogin = errors.New("wechattest: unknown login uuid")
	// ErrLoginState means the login cannot do that now (for example
	// Confirm after CancelLogin, or Scan of a push login).
	ErrLoginState = errors.New("wechattest: login is not in a state that allows this")
	// ErrClosed means the server was closed.
	ErrClosed = errors.New("wechattest: server closed")
)

// WaitForLogin returns the newest issued uuid (QR or push login) that is
// not yet confirmed, cancelled or expired, waiting until there is one.
func (s *Server) WaitForLogin(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if pl := s.newestPendingLocked(); pl != nil {
			return pl.uuid, nil
		}
		if !s.waitLocked(ctx, nil) {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			return "", ErrClosed
		}
	}
}

func (s *Server) newestPendingLocked() *pendingLogin {
	for i := len(s.logins.order) - 1; i >= 0; i-- {
		if pl := s.logins.order[i]; pl.status == loginWaiting || pl.status == loginScanned {
			return pl
		}
	}
	return nil
}

// changeLogin applies fn to a login under the lock and wakes the polls.
func (s *Server) changeLogin(uuid string, fn func(*pendingLogin) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl := s.logins.byUUID[uuid]
	if pl == nil {
		return ErrUnknownLogin
	}
	if err := fn(pl); err != nil {
		return err
	}
	s.notifyLocked()
	return nil
}

// Scan plays the phone scanning the QR code: the login poll answers 201.
func (s *Server) Scan(uuid string) error {
	return s.changeLogin(uuid, func(pl *pendingLogin) error {
		if pl.push || pl.status != loginWaiting {
			return ErrLoginState
		}
		pl.status = loginScanned
		return nil
	})
}

// Confirm plays the phone confirming the login (it implies Scan for QR
// logins): the login poll answers 200 with the redirect_uri.
func (s *Server) Confirm(uuid string) error {
	return s.changeLogin(uuid, func(pl *pendingLogin) error {
		if pl.status != loginWaiting && pl.status != loginScanned {
			return ErrLoginState
		}
		pl.status = loginConfirmed
		pl.scanTime = s.now()
		pl.ticket = randomFrom(urlSafeAlphabet[:62], 24) + "@qrticket_0"
		s.logins.tickets[pl.ticket] = pl
		return nil
	})
}

// CancelLogin plays the phone tapping Cancel: the login poll answers 202.
func (s *Server) CancelLogin(uuid string) error {
	return s.changeLogin(uuid, func(pl *pendingLogin) error {
		if pl.status != loginWaiting && pl.status != loginScanned {
			return ErrLoginState
		}
		pl.status = loginCancelled
		return nil
	})
}

// ExpireQR expires a login: the login poll answers 400 and an unused
// ticket stops working.
func (s *Server) ExpireQR(uuid string) error {
	return s.changeLogin(uuid, func(pl *pendingLogin) error {
		if pl.status != loginWaiting && pl.status != loginScanned && pl.status != loginConfirmed {
			return ErrLoginState
		}
		delete(s.logins.tickets, pl.ticket)
		pl.status = loginExpired
		return nil
	})
}

// RefuseNextLogin makes the next webwxnewloginpage fail with ret and
// message (1203 and a text like the real ones, for example).
func (s *Server) RefuseNextLogin(ret int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins.refusal = &loginRefusal{ret: ret, msg: message}
}

// RefuseNextPushLogin makes the next webwxpushloginurl refuse as the real
// server does when it will not ask the phone (ret "1", "device authinfo
// invalid"), although the request is right.
func (s *Server) RefuseNextPushLogin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins.refusePush = true
}

// LoginCount is the number of sessions started.
func (s *Server) LoginCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins.count
}
