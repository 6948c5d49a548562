package database

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on what the identity layer stores. Real UserNames are about 66
// bytes and real names a few dozen; anything far beyond is hostile or broken.
const (
	MaxLoginIDLen  = 64
	MaxUserNameLen = 256
	// MaxFieldLen bounds the profile fields; longer values are cut (at a rune
	// boundary), not rejected.
	MaxFieldLen = 1024
	// MaxMembers bounds the member list of one group (WeChat allows 500).
	MaxMembers = 5000
)

// Errors for input the identity layer refuses. Match with errors.Is.
var (
	ErrInvalidLoginID  = errors.New("database: invalid login ID")
	ErrInvalidUserName = errors.New("database: invalid UserName")
	ErrInvalidPUID     = errors.New("database: invalid PUID")
	ErrInvalidContact  = errors.New("database: invalid contact")
	ErrTooManyMembers  = fmt.Errorf("%w: too many group members", ErrInvalidContact)
)

// SessionContact is what the identity layer needs to know about one contact or group
// of the current session. wechat/ maps its contact type onto this.
type SessionContact struct {
	// UserName is the session UserName (@…, @@… for groups, or a special
	// name such as filehelper). Required.
	UserName string
	// Group marks a chat room.
	Group bool

	Alias      string // WeChat ID (微信号), often empty
	RemarkName string // the logged-in user's name for the contact
	NickName   string // the contact's own name, or the group name
	Sex        int
	Province   string
	City       string

	// MemberUserNames are the session UserNames of a group's members. Members
	// that are not in the same MapSession call (nor, for MapMore, already
	// known in this session) are ignored: pass group members you want matched
	// and stored as contacts too. Empty means "unknown", not "no members":
	// stored members are then kept.
	MemberUserNames []string
}

// Kind is the kind of an identity.
type Kind string

const (
	KindUser  Kind = "user"
	KindGroup Kind = "group"
)

func (c *SessionContact) kind() Kind {
	if c.Group {
		return KindGroup
	}
	return KindUser
}

// checkLoginID validates a login ID (the self Uin in decimal).
func checkLoginID(loginID string) error {
	if err := checkKey(loginID, MaxLoginIDLen); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidLoginID, err)
	}
	return nil
}

// checkUserName validates a session UserName.
func checkUserName(userName string) error {
	if err := checkKey(userName, MaxUserNameLen); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidUserName, err)
	}
	return nil
}

var (
	errEmpty      = errors.New("empty")
	errTooLong    = errors.New("too long")
	errBadUTF8    = errors.New("not valid UTF-8")
	errControlChr = errors.New("contains control characters")
)

// checkKey validates a string used as a key: non-empty, bounded, valid UTF-8,
// no control characters (PostgreSQL cannot even store NUL).
func checkKey(s string, maxLen int) error {
	switch {
	case s == "":
		return errEmpty
	case len(s) > maxLen:
		return fmt.Errorf("%w (%d bytes, at most %d)", errTooLong, len(s), maxLen)
	case !utf8.ValidString(s):
		return errBadUTF8
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errControlChr
		}
	}
	return nil
}

// sanitizeField makes a display field storable: invalid UTF-8 becomes U+FFFD,
// NUL is dropped and the result is cut to MaxFieldLen bytes at a rune boundary.
func sanitizeField(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) > MaxFieldLen {
		cut := MaxFieldLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// normalizeContact validates the keys of c and returns a sanitised copy with
// its member list deduplicated (self-references dropped). The input is not
// modified.
func normalizeContact(c *SessionContact) (SessionContact, error) {
	if err := checkUserName(c.UserName); err != nil {
		return SessionContact{}, err
	}
	out := SessionContact{
		UserName:   c.UserName,
		Group:      c.Group,
		Alias:      sanitizeField(c.Alias),
		RemarkName: sanitizeField(c.RemarkName),
		NickName:   sanitizeField(c.NickName),
		Sex:        c.Sex,
		Province:   sanitizeField(c.Province),
		City:       sanitizeField(c.City),
	}
	if len(c.MemberUserNames) > 0 {
		if !c.Group {
			return SessionContact{}, fmt.Errorf("%w: %s is not a group but has members", ErrInvalidContact, quoteForError(c.UserName))
		}
		if len(c.MemberUserNames) > MaxMembers {
			return SessionContact{}, fmt.Errorf("%w (%d, at most %d)", ErrTooManyMembers, len(c.MemberUserNames), MaxMembers)
		}
		seen := make(map[string]struct{}, len(c.MemberUserNames))
		out.MemberUserNames = make([]string, 0, len(c.MemberUserNames))
		for i, m := range c.MemberUserNames {
			if err := checkUserName(m); err != nil {
				return SessionContact{}, fmt.Errorf("%w: member %d: %w", ErrInvalidContact, i, err)
			}
			if _, dup := seen[m]; dup || m == c.UserName {
				continue
			}
			seen[m] = struct{}{}
			out.MemberUserNames = append(out.MemberUserNames, m)
		}
	}
	return out, nil
}

// quoteForError shortens hostile input before it goes into an error message.
func quoteForError(s string) string {
	const maxShown = 80
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return fmt.Sprintf("%q", s)
}
