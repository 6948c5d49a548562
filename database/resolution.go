package database

import (
	"github.com/rs/zerolog"
)

// MatchMethod says how a session UserName was tied to a PUID.
type MatchMethod string

// The matching steps, in the order MapSession tries them.
const (
	// MatchSameUserName: the stored identity already has this UserName (a
	// resumed session, or a contact seen earlier in this session).
	MatchSameUserName MatchMethod = "same-username"
	// MatchAlias: equal non-empty Alias (WeChat ID).
	MatchAlias MatchMethod = "alias"
	// MatchRemark: equal RemarkName, unique on both sides.
	MatchRemark MatchMethod = "remark"
	// MatchProfile: equal NickName+Sex+Province+City, unique on both sides
	// (users only).
	MatchProfile MatchMethod = "profile"
	// MatchGroupMembers: a group whose members overlap clearly best with one
	// stored group's members (and the other way round).
	MatchGroupMembers MatchMethod = "group-members"
	// MatchGroupName: a group matched by a name unique on both sides, where
	// one side has no member information to compare.
	MatchGroupName MatchMethod = "group-name"
	// MatchNew: nothing matched (or only ambiguously): a new PUID.
	MatchNew MatchMethod = "new"
)

// Resolved is the outcome for one session UserName.
type Resolved struct {
	UserName string
	PUID     string
	Kind     Kind
	Method   MatchMethod
	// Ambiguities lists the steps that found candidates but could not
	// decide; set only when Method is MatchNew. An admin may merge the new
	// PUID into one of the candidates.
	Ambiguities []Ambiguity
}

// Ambiguity is one step that could not pick a single stored identity.
type Ambiguity struct {
	Method MatchMethod
	// Candidates are stored PUIDs that fit (at most MaxCandidates).
	Candidates []string
	// Contenders is how many contacts of the current session share the
	// matching key (1 means the stored side was ambiguous).
	Contenders int
}

// MaxCandidates bounds Ambiguity.Candidates.
const MaxCandidates = 5

// Rejected is an input contact that MapSession refused.
type Rejected struct {
	// Index is the position in the slice given to MapSession.
	Index int
	Err   error
}

// Resolution is the result of one MapSession call.
type Resolution struct {
	LoginID string
	// Contacts has one entry per accepted, distinct UserName, in input order.
	Contacts []Resolved
	// Rejected lists invalid input contacts (see ErrInvalidUserName,
	// ErrInvalidContact); they were skipped, the rest was resolved.
	Rejected []Rejected
	// Duplicates counts input contacts whose UserName appeared earlier in
	// the same call; the last occurrence's fields were used.
	Duplicates int
	// Stale counts identities that held a UserName before this call and
	// hold none after it (not in this session, or its UserName went to
	// another identity).
	Stale int

	index map[string]int
}

// Get returns the outcome for a UserName, or nil if it was not resolved.
func (r *Resolution) Get(userName string) *Resolved {
	if i, ok := r.index[userName]; ok {
		return &r.Contacts[i]
	}
	return nil
}

// PUID returns the PUID resolved for a UserName.
func (r *Resolution) PUID(userName string) (string, bool) {
	if res := r.Get(userName); res != nil {
		return res.PUID, true
	}
	return "", false
}

// Count returns how many contacts were resolved by the given method.
func (r *Resolution) Count(method MatchMethod) int {
	n := 0
	for i := range r.Contacts {
		if r.Contacts[i].Method == method {
			n++
		}
	}
	return n
}

// Ambiguous returns the contacts that got a new PUID although stored
// identities fit them.
func (r *Resolution) Ambiguous() []Resolved {
	var out []Resolved
	for _, res := range r.Contacts {
		if len(res.Ambiguities) > 0 {
			out = append(out, res)
		}
	}
	return out
}

// MarshalZerologObject logs counts only: no names, which are personal data.
func (r *Resolution) MarshalZerologObject(e *zerolog.Event) {
	e.Int("contacts", len(r.Contacts)).
		Int("rejected", len(r.Rejected)).
		Int("duplicates", r.Duplicates).
		Int("stale", r.Stale).
		Int("ambiguous", len(r.Ambiguous()))
	for _, m := range []MatchMethod{MatchSameUserName, MatchAlias, MatchRemark, MatchProfile, MatchGroupMembers, MatchGroupName, MatchNew} {
		e.Int(string(m), r.Count(m))
	}
}
