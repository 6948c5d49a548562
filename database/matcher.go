package database

import (
	"strconv"
	"strings"
)

// Group matching thresholds. Overlap is the Jaccard index of the member PUID
// sets; the score adds groupNameBonus when the group names are equal, so that
// of two stored groups with similar members the one with the same name wins.
const (
	// groupSameNameOverlap is the least overlap for a group with the same name.
	groupSameNameOverlap = 0.5
	// groupRenamedOverlap is the least overlap for a renamed group, which
	// must also share at least groupRenamedCommon members.
	groupRenamedOverlap = 0.7
	groupRenamedCommon  = 2
	groupNameBonus      = 0.3
	// groupMargin is how far the best score must be ahead of the runner-up,
	// both among the stored groups for a new group and among the new groups
	// for a stored group.
	groupMargin = 0.15
)

// matcher plans one MapSession in memory: which session UserName gets which
// PUID. It does no I/O, so it can be tested and benchmarked on its own.
type matcher struct {
	// full: the contacts are the whole account after a login, so every
	// stored identity is a candidate and UserNames not listed are stale.
	// Otherwise (MapMore) only identities outside the session are.
	full bool

	stored     []*Identity
	byUserName map[string]*Identity // stored identities holding a UserName
	claimed    map[string]bool      // stored PUIDs already matched
	members    map[string][]string  // stored group PUID -> member PUIDs

	contacts []SessionContact
	out      []Resolved
	matched  []*Identity // the stored identity per contact, if any

	newPUID func() (string, error)
}

func newMatcher(full bool, stored []*Identity, members map[string][]string, contacts []SessionContact, newPUID func() (string, error)) *matcher {
	m := &matcher{
		full:       full,
		stored:     stored,
		byUserName: make(map[string]*Identity),
		claimed:    make(map[string]bool, len(contacts)),
		members:    members,
		contacts:   contacts,
		out:        make([]Resolved, len(contacts)),
		matched:    make([]*Identity, len(contacts)),
		newPUID:    newPUID,
	}
	for _, s := range stored {
		if s.UserName != "" {
			m.byUserName[s.UserName] = s
		}
	}
	for i := range contacts {
		m.out[i] = Resolved{UserName: contacts[i].UserName, Kind: contacts[i].kind()}
	}
	return m
}

// run performs every step; afterwards each out[i] has a PUID and a method.
func (m *matcher) run() error {
	m.matchSameUserName()
	m.matchByKey(MatchAlias, true, aliasKey)
	m.matchByKey(MatchRemark, true, remarkKey)
	m.matchByKey(MatchProfile, false, profileKey)
	// Users are settled first (with new PUIDs where nothing matched) so that
	// group members can be compared by PUID.
	if err := m.mintNew(KindUser); err != nil {
		return err
	}
	m.matchGroups()
	return m.mintNew(KindGroup)
}

func (m *matcher) match(i int, s *Identity, method MatchMethod) {
	m.claimed[s.PUID] = true
	m.matched[i] = s
	m.out[i].PUID = s.PUID
	m.out[i].Method = method
	m.out[i].Ambiguities = nil
}

func (m *matcher) unmatched(i int) bool { return m.out[i].PUID == "" }

// candidate reports whether a stored identity may still be matched.
func (m *matcher) candidate(s *Identity) bool {
	if m.claimed[s.PUID] {
		return false
	}
	// Mid-session, an identity holding a UserName is another contact of
	// this very session.
	return m.full || s.UserName == ""
}

func (m *matcher) matchSameUserName() {
	for i := range m.contacts {
		if s := m.byUserName[m.contacts[i].UserName]; s != nil && s.Kind == m.out[i].Kind && !m.claimed[s.PUID] {
			m.match(i, s, MatchSameUserName)
		}
	}
}

// profile is the part of a contact or identity that matching looks at.
type profile struct {
	kind                Kind
	alias, remark, nick string
	sex                 int
	province, city      string
}

func (c *SessionContact) profile() profile {
	return profile{c.kind(), c.Alias, c.RemarkName, c.NickName, c.Sex, c.Province, c.City}
}

func (s *Identity) profile() profile {
	return profile{s.Kind, s.Alias, s.RemarkName, s.NickName, s.Sex, s.Province, s.City}
}

// Keys start with the kind so that users and groups never meet; "" means the
// step does not apply. Fields never contain NUL (sanitizeField drops it).
func aliasKey(p profile) string {
	if p.alias == "" {
		return ""
	}
	return string(p.kind) + "\x00" + p.alias
}

func remarkKey(p profile) string {
	if p.remark == "" {
		return ""
	}
	return string(p.kind) + "\x00" + p.remark
}

func profileKey(p profile) string {
	if p.nick == "" || p.kind != KindUser {
		return ""
	}
	return strings.Join([]string{string(p.kind), p.nick, strconv.Itoa(p.sex), p.province, p.city}, "\x00")
}

// matchByKey ties contact and stored identity when their key is unique among
// the contacts still unmatched (plus, mid-session, the other contacts of the
// session) and among the stored identities still unclaimed. Counting only
// what is left means an earlier, stronger step can settle one of two
// namesakes and leave the other one unique.
func (m *matcher) matchByKey(method MatchMethod, groupsToo bool, key func(profile) string) {
	newCount := make(map[string]int)
	for i := range m.contacts {
		if !m.unmatched(i) || (m.contacts[i].Group && !groupsToo) {
			continue
		}
		if k := key(m.contacts[i].profile()); k != "" {
			newCount[k]++
		}
	}
	if len(newCount) == 0 {
		return
	}
	if !m.full {
		// Contacts of this session that are not in this call still count:
		// a key shared with one of them is not unique within the account.
		for _, s := range m.stored {
			if s.UserName != "" && !m.claimed[s.PUID] {
				if k := key(s.profile()); k != "" {
					if _, ok := newCount[k]; ok {
						newCount[k]++
					}
				}
			}
		}
	}
	storedByKey := make(map[string][]*Identity)
	for _, s := range m.stored {
		if !m.candidate(s) {
			continue
		}
		if k := key(s.profile()); k != "" {
			if _, ok := newCount[k]; ok {
				storedByKey[k] = append(storedByKey[k], s)
			}
		}
	}
	for i := range m.contacts {
		if !m.unmatched(i) || (m.contacts[i].Group && !groupsToo) {
			continue
		}
		k := key(m.contacts[i].profile())
		cands := storedByKey[k]
		if k == "" || len(cands) == 0 {
			continue
		}
		if newCount[k] == 1 && len(cands) == 1 {
			m.match(i, cands[0], method)
			continue
		}
		m.noteAmbiguity(i, method, cands, newCount[k])
	}
}

func (m *matcher) noteAmbiguity(i int, method MatchMethod, cands []*Identity, contenders int) {
	a := Ambiguity{Method: method, Contenders: contenders}
	for _, c := range cands[:min(len(cands), MaxCandidates)] {
		a.Candidates = append(a.Candidates, c.PUID)
	}
	m.out[i].Ambiguities = append(m.out[i].Ambiguities, a)
}

func (m *matcher) mintNew(kind Kind) error {
	for i := range m.contacts {
		if m.unmatched(i) && m.out[i].Kind == kind {
			puid, err := m.newPUID()
			if err != nil {
				return err
			}
			m.out[i].PUID = puid
			m.out[i].Method = MatchNew
		}
	}
	return nil
}

// memberPUIDs maps a group contact's member UserNames to PUIDs: contacts of
// this call first, then (mid-session) identities already holding the
// UserName. Unknown members are left out.
func (m *matcher) memberPUIDs(c *SessionContact, byUserName map[string]string) []string {
	out := make([]string, 0, len(c.MemberUserNames))
	seen := make(map[string]struct{}, len(c.MemberUserNames))
	for _, u := range c.MemberUserNames {
		puid, ok := byUserName[u]
		if !ok && !m.full {
			if s := m.byUserName[u]; s != nil && s.Kind == KindUser {
				puid, ok = s.PUID, true
			}
		}
		if _, dup := seen[puid]; ok && !dup {
			seen[puid] = struct{}{}
			out = append(out, puid)
		}
	}
	return out
}

// groupPair is one (new group, stored group) pair that shares members.
type groupPair struct {
	g, s     int // index into contacts, index into storedGroups
	overlap  float64
	score    float64
	sameName bool
	eligible bool
}

type best2 struct {
	best, second float64
	at           int
}

func (b *best2) add(score float64, at int) {
	if score > b.best {
		b.second, b.best, b.at = b.best, score, at
	} else if score > b.second {
		b.second = score
	}
}

// matchGroups matches the groups left after the generic steps, first by
// member overlap, then by a unique name where members cannot be compared.
func (m *matcher) matchGroups() {
	var groups []int
	for i := range m.contacts {
		if m.unmatched(i) && m.contacts[i].Group {
			groups = append(groups, i)
		}
	}
	if len(groups) == 0 {
		return
	}
	var storedGroups []*Identity
	for _, s := range m.stored {
		if s.Kind == KindGroup && m.candidate(s) {
			storedGroups = append(storedGroups, s)
		}
	}
	if len(storedGroups) == 0 {
		return
	}
	userPUIDs := make(map[string]string, len(m.contacts))
	for i := range m.contacts {
		if m.out[i].Kind == KindUser {
			userPUIDs[m.contacts[i].UserName] = m.out[i].PUID
		}
	}
	// Inverted index: member PUID -> stored groups containing it.
	inGroups := make(map[string][]int)
	for si, s := range storedGroups {
		for _, p := range m.members[s.PUID] {
			inGroups[p] = append(inGroups[p], si)
		}
	}
	newMembers := make(map[int][]string, len(groups))
	var pairs []groupPair
	bestForNew := make(map[int]*best2)
	bestForStored := make(map[int]*best2)
	for _, gi := range groups {
		c := &m.contacts[gi]
		a := m.memberPUIDs(c, userPUIDs)
		newMembers[gi] = a
		if len(a) == 0 {
			continue
		}
		common := make(map[int]int)
		for _, p := range a {
			for _, si := range inGroups[p] {
				common[si]++
			}
		}
		for si, n := range common {
			s := storedGroups[si]
			p := groupPair{g: gi, s: si, sameName: c.NickName != "" && c.NickName == s.NickName}
			p.overlap = float64(n) / float64(len(a)+len(m.members[s.PUID])-n)
			p.score = p.overlap
			if p.sameName {
				p.score += groupNameBonus
				p.eligible = p.overlap >= groupSameNameOverlap
			} else {
				p.eligible = p.overlap >= groupRenamedOverlap && n >= groupRenamedCommon
			}
			pairs = append(pairs, p)
			bn := bestForNew[gi]
			if bn == nil {
				bn = &best2{at: -1}
				bestForNew[gi] = bn
			}
			bn.add(p.score, si)
			bs := bestForStored[si]
			if bs == nil {
				bs = &best2{at: -1}
				bestForStored[si] = bs
			}
			bs.add(p.score, gi)
		}
	}
	pairAt := make(map[[2]int]*groupPair, len(pairs))
	for i := range pairs {
		pairAt[[2]int{pairs[i].g, pairs[i].s}] = &pairs[i]
	}
	for _, gi := range groups {
		bn := bestForNew[gi]
		if bn == nil {
			continue
		}
		p := pairAt[[2]int{gi, bn.at}]
		if !p.eligible {
			continue
		}
		bs := bestForStored[p.s]
		if bs.at == gi && bn.best-bn.second >= groupMargin && bs.best-bs.second >= groupMargin {
			m.match(gi, storedGroups[p.s], MatchGroupMembers)
			continue
		}
		var cands []*Identity
		for si := range storedGroups {
			if q := pairAt[[2]int{gi, si}]; q != nil && q.eligible {
				cands = append(cands, storedGroups[si])
			}
		}
		contenders := 0
		for _, gj := range groups {
			if q := pairAt[[2]int{gj, p.s}]; q != nil && q.eligible {
				contenders++
			}
		}
		m.noteAmbiguity(gi, MatchGroupMembers, cands, contenders)
	}
	m.matchGroupNames(groups, storedGroups, newMembers)
}

// matchGroupNames ties groups by a name unique on both sides, but only when
// one side has no members to compare: with members on both sides a low
// overlap means a different group of the same name.
func (m *matcher) matchGroupNames(groups []int, storedGroups []*Identity, newMembers map[int][]string) {
	newCount := make(map[string]int)
	for _, gi := range groups {
		if m.unmatched(gi) && m.contacts[gi].NickName != "" {
			newCount[m.contacts[gi].NickName]++
		}
	}
	storedByName := make(map[string][]*Identity)
	for _, s := range storedGroups {
		if !m.claimed[s.PUID] && s.NickName != "" {
			storedByName[s.NickName] = append(storedByName[s.NickName], s)
		}
	}
	for _, gi := range groups {
		name := m.contacts[gi].NickName
		cands := storedByName[name]
		if !m.unmatched(gi) || name == "" || len(cands) == 0 {
			continue
		}
		if newCount[name] != 1 || len(cands) != 1 {
			m.noteAmbiguity(gi, MatchGroupName, cands, newCount[name])
			continue
		}
		if len(newMembers[gi]) == 0 || len(m.members[cands[0].PUID]) == 0 {
			m.match(gi, cands[0], MatchGroupName)
		}
	}
}
