package database

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// massChunk bounds the rows per multi-row statement: 12 parameters a row
// stays well below SQLite's 32766 and PostgreSQL's 65535.
const massChunk = 500

// MapSession maps every UserName of a fresh login to a PUID. contacts must be
// the whole account (all contacts and groups, with group members), because
// every UserName not listed is cleared as belonging to an older session.
//
// Stored identities are matched, each at most once, in this order: same
// UserName (a resumed session), equal non-empty Alias, a RemarkName unique on
// both sides, NickName+Sex+Province+City unique on both sides (users), and
// for groups the member overlap (or a unique name where members cannot be
// compared). Whatever is unmatched or ambiguous gets a new PUID; see
// Resolution.Ambiguous. Invalid contacts are skipped and listed in
// Resolution.Rejected. Everything is written in one transaction.
func (q *IdentityQuery) MapSession(ctx context.Context, loginID string, contacts []SessionContact) (*Resolution, error) {
	return q.mapContacts(ctx, loginID, contacts, true)
}

// MapMore maps UserNames met in the middle of a session (a new friend, a
// stranger in a group, a ModContact) to PUIDs, without touching the other
// UserNames of the session. Identities that already hold a UserName of this
// session are not candidates for the other contacts.
func (q *IdentityQuery) MapMore(ctx context.Context, loginID string, contacts []SessionContact) (*Resolution, error) {
	return q.mapContacts(ctx, loginID, contacts, false)
}

// MapOne is MapMore for a single contact; invalid input is an error.
func (q *IdentityQuery) MapOne(ctx context.Context, loginID string, contact SessionContact) (*Resolved, error) {
	res, err := q.mapContacts(ctx, loginID, []SessionContact{contact}, false)
	if err != nil {
		return nil, err
	} else if len(res.Rejected) > 0 {
		return nil, res.Rejected[0].Err
	}
	return &res.Contacts[0], nil
}

func (q *IdentityQuery) mapContacts(ctx context.Context, loginID string, input []SessionContact, full bool) (*Resolution, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	res := &Resolution{LoginID: loginID}
	contacts := normalizeContacts(input, res)
	hasGroups := slices.ContainsFunc(contacts, func(c SessionContact) bool { return c.Group })
	now := time.Now()

	err := q.GetDB().DoTxn(ctx, nil, func(ctx context.Context) error {
		if err := q.lockLogin(ctx, loginID); err != nil {
			return err
		}
		stored, members, err := q.loadActive(ctx, loginID, hasGroups)
		if err != nil {
			return err
		}
		m := newMatcher(full, stored, members, contacts, NewPUID)
		if err = m.run(); err != nil {
			return err
		}
		return q.apply(ctx, loginID, m, now, res)
	})
	if err != nil {
		return nil, fmt.Errorf("database: resolve identities: %w", err)
	}
	logResolution(ctx, res, full)
	return res, nil
}

// normalizeContacts validates and sanitises the input, dropping invalid
// contacts (into res.Rejected) and collapsing repeated UserNames (the last
// occurrence wins, at the position of the first).
func normalizeContacts(input []SessionContact, res *Resolution) []SessionContact {
	contacts := make([]SessionContact, 0, len(input))
	res.index = make(map[string]int, len(input))
	for i := range input {
		c, err := normalizeContact(&input[i])
		if err != nil {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Err: err})
			continue
		}
		if at, dup := res.index[c.UserName]; dup {
			res.Duplicates++
			contacts[at] = c
			continue
		}
		res.index[c.UserName] = len(contacts)
		contacts = append(contacts, c)
	}
	return contacts
}

// apply writes what the matcher decided and fills res.Contacts.
func (q *IdentityQuery) apply(ctx context.Context, loginID string, m *matcher, now time.Time, res *Resolution) error {
	db := q.GetDB()
	kept := make(map[string]bool, len(m.out))
	for i := range m.out {
		kept[m.out[i].PUID] = true
	}
	if m.full {
		for _, s := range m.stored {
			if s.UserName != "" && !kept[s.PUID] {
				res.Stale++
			}
		}
		if _, err := db.Exec(ctx, clearAllUserNamesQuery, loginID); err != nil {
			return fmt.Errorf("clear stale UserNames: %w", err)
		}
	} else {
		// A UserName held by an identity that did not win it (only possible
		// when the kind disagrees) is freed first: it maps to one PUID.
		for i := range m.contacts {
			if holder := m.byUserName[m.contacts[i].UserName]; holder != nil && holder.PUID != m.out[i].PUID {
				if _, err := db.Exec(ctx, clearUserNameQuery, loginID, holder.PUID); err != nil {
					return fmt.Errorf("clear reassigned UserName: %w", err)
				}
				res.Stale++
			}
		}
	}

	rows := make([]*Identity, len(m.contacts))
	for i := range m.contacts {
		rows[i] = identityRow(loginID, &m.contacts[i], m.out[i].PUID, m.matched[i], now)
	}
	for chunk := range slices.Chunk(rows, massChunk) {
		query, params := massUpsertIdentity.Build([1]any{loginID}, chunk)
		if _, err := db.Exec(ctx, query, params...); err != nil {
			return fmt.Errorf("upsert identities: %w", err)
		}
	}
	if err := q.replaceMembers(ctx, loginID, m); err != nil {
		return err
	}
	res.Contacts = m.out
	return nil
}

// identityRow builds the row to store for a resolved contact. An empty Alias
// does not erase a known one (Web WeChat often omits it); every other field
// is taken as it is now.
func identityRow(loginID string, c *SessionContact, puid string, prev *Identity, now time.Time) *Identity {
	row := &Identity{
		LoginID:    loginID,
		PUID:       puid,
		Kind:       c.kind(),
		UserName:   c.UserName,
		Alias:      c.Alias,
		RemarkName: c.RemarkName,
		NickName:   c.NickName,
		Sex:        c.Sex,
		Province:   c.Province,
		City:       c.City,
		FirstSeen:  now,
		LastSeen:   now,
	}
	if prev != nil {
		row.FirstSeen = prev.FirstSeen
		if row.Alias == "" {
			row.Alias = prev.Alias
		}
	}
	return row
}

// replaceMembers stores the member PUIDs of every group that came with a
// member list; groups without one keep what is stored.
func (q *IdentityQuery) replaceMembers(ctx context.Context, loginID string, m *matcher) error {
	db := q.GetDB()
	puidOf := make(map[string]string, len(m.contacts))
	for i := range m.contacts {
		if !m.contacts[i].Group {
			puidOf[m.contacts[i].UserName] = m.out[i].PUID
		}
	}
	var rows []memberRow
	var replaced []string
	for i := range m.contacts {
		c := &m.contacts[i]
		if !c.Group || len(c.MemberUserNames) == 0 {
			continue
		}
		group := m.out[i].PUID
		if m.matched[i] != nil {
			replaced = append(replaced, group)
		}
		for _, member := range m.memberPUIDs(c, puidOf) {
			rows = append(rows, memberRow{group: group, member: member})
		}
	}
	for chunk := range slices.Chunk(replaced, massChunk) {
		query, params := deleteGroupsMembersQuery(loginID, chunk)
		if _, err := db.Exec(ctx, query, params...); err != nil {
			return fmt.Errorf("clear group members: %w", err)
		}
	}
	for chunk := range slices.Chunk(rows, massChunk) {
		query, params := massInsertMember.Build([1]any{loginID}, chunk)
		if _, err := db.Exec(ctx, query, params...); err != nil {
			return fmt.Errorf("insert group members: %w", err)
		}
	}
	return nil
}

// deleteGroupsMembersQuery builds a DELETE of the members of several groups
// (an IN list: SQLite has no arrays).
func deleteGroupsMembersQuery(loginID string, groups []string) (string, []any) {
	var b strings.Builder
	params := make([]any, 0, len(groups)+1)
	params = append(params, loginID)
	b.WriteString(`DELETE FROM wechat_identity_member WHERE login_id=$1 AND group_puid IN (`)
	for i, g := range groups {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+2))
		params = append(params, g)
	}
	b.WriteString(")")
	return b.String(), params
}

// logResolution logs a summary and every ambiguity, by UserName and PUID
// only: names are personal data.
func logResolution(ctx context.Context, res *Resolution, full bool) {
	log := zerolog.Ctx(ctx)
	for _, r := range res.Rejected {
		log.Warn().Err(r.Err).Int("index", r.Index).Msg("Skipped invalid contact")
	}
	for _, c := range res.Ambiguous() {
		for _, a := range c.Ambiguities {
			log.Warn().
				Str("user_name", c.UserName).
				Str("puid", c.PUID).
				Str("step", string(a.Method)).
				Strs("candidates", a.Candidates).
				Int("contenders", a.Contenders).
				Msg("Ambiguous identity, minted a new PUID")
		}
	}
	if full {
		log.Info().Object("resolution", res).Msg("Resolved identities after login")
	} else {
		log.Debug().Object("resolution", res).Msg("Resolved identities")
	}
}
