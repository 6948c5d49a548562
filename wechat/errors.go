package wechat

import (
	"errors"
	"fmt"
)

// Ret codes of BaseResponse and synccheck.
const (
	RetOK              = 0
	RetSessionNotExist = 1100
	RetSessionInvalid  = 1101
	RetCookieInvalid   = 1102
	RetParseRequest    = 1200
	RetLoginBarred     = 1203
	RetTooFrequent     = 1205
)

var (
	// ErrLoggedOut means the session is gone (1100, 1101 or 1102): a new
	// login is needed.
	ErrLoggedOut = errors.New("wechat: logged out")
	// ErrTooFrequent means the server refused a call as too frequent (1205).
	ErrTooFrequent = errors.New("wechat: too frequent")
	// ErrLoginBarred means the account may not log in to web WeChat (1203).
	ErrLoginBarred = errors.New("wechat: web login not allowed for this account")
	// ErrQRExpired means the QR code expired before it was confirmed.
	ErrQRExpired = errors.New("wechat: QR code expired")
	// ErrLoginCancelled means the user tapped Cancel on the phone.
	ErrLoginCancelled = errors.New("wechat: login cancelled on the phone")
	// ErrNotLoggedIn means the client has no session to work with.
	ErrNotLoggedIn = errors.New("wechat: not logged in")
	// ErrTooLarge means a download or upload exceeded the size limit.
	ErrTooLarge = errors.New("wechat: media too large")
	// ErrUnexpectedResponse means the server answered something we could
	// not understand.
	ErrUnexpectedResponse = errors.New("wechat: unexpected response")
)

// RetError is a non-zero ret from an endpoint, with the server's message.
type RetError struct {
	Endpoint string
	Ret      int
	Message  string
}

func (e *RetError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("wechat: %s returned ret=%d: %s", e.Endpoint, e.Ret, e.Message)
	}
	return fmt.Sprintf("wechat: %s returned ret=%d", e.Endpoint, e.Ret)
}

// Is lets errors.Is match the sentinel errors that a ret code stands for.
func (e *RetError) Is(target error) bool {
	switch target {
	case ErrLoggedOut:
		return IsLoggedOutRet(e.Ret)
	case ErrTooFrequent:
		return e.Ret == RetTooFrequent
	case ErrLoginBarred:
		return e.Ret == RetLoginBarred
	}
	return false
}

// IsLoggedOutRet reports whether ret means the session is gone.
func IsLoggedOutRet(ret int) bool {
	return ret == RetSessionNotExist || ret == RetSessionInvalid || ret == RetCookieInvalid
}

// HTTPError is an HTTP status the client did not expect.
type HTTPError struct {
	Endpoint string
	Status   int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("wechat: %s answered HTTP %d", e.Endpoint, e.Status)
}

// Temporary reports whether retrying may help (5xx and 429).
func (e *HTTPError) Temporary() bool {
	return e.Status >= 500 || e.Status == 429
}
