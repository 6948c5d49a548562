package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/util/dbutil"
)

// Identity is one contact or group of a login, under its permanent PUID.
type Identity struct {
	LoginID string
	PUID    string
	Kind    Kind
	// UserName is the UserName in the current session, or "" if the
	// contact has not been seen in it.
	UserName   string
	Alias      string
	RemarkName string
	NickName   string
	Sex        int
	Province   string
	City       string
	// MergedInto is the PUID this identity was merged into by an admin, or "".
	MergedInto string
	FirstSeen  time.Time
	LastSeen   time.Time
}

var (
	_ dbutil.DataStruct[*Identity]       = (*Identity)(nil)
	_ dbutil.MassInsertable[[12]any]     = (*Identity)(nil)
	_ dbutil.MassInsertable[[2]any]      = memberRow{}
	_ dbutil.DataStruct[*identityMember] = (*identityMember)(nil)
)

// IdentityQuery reads and writes wechat_identity and wechat_identity_member.
type IdentityQuery struct {
	*dbutil.QueryHelper[*Identity]
}

// Errors of the identity queries. Match with errors.Is.
var (
	ErrUnknownPUID    = errors.New("database: unknown PUID")
	ErrAlreadyMerged  = errors.New("database: identity already merged into another one")
	ErrCannotMerge    = errors.New("database: identities cannot be merged")
	ErrMergeChainLoop = errors.New("database: merged_into chain too long or looping")
)

// maxMergeDepth bounds how many merged_into links a lookup follows.
const maxMergeDepth = 16

const identityColumns = `login_id, puid, kind, user_name, alias, remark_name, nick_name, sex, province, city, merged_into, first_seen, last_seen`

const (
	getIdentityByUserNameQuery = `SELECT ` + identityColumns + ` FROM wechat_identity WHERE login_id=$1 AND user_name=$2`
	getIdentityByPUIDQuery     = `SELECT ` + identityColumns + ` FROM wechat_identity WHERE login_id=$1 AND puid=$2`
	listIdentitiesQuery        = `SELECT ` + identityColumns + ` FROM wechat_identity WHERE login_id=$1 ORDER BY first_seen, puid`
	listActiveIdentitiesQuery  = `SELECT ` + identityColumns + ` FROM wechat_identity WHERE login_id=$1 AND merged_into IS NULL`
	upsertIdentityQuery        = `
		INSERT INTO wechat_identity (` + identityColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (login_id, puid) DO UPDATE SET
			kind=excluded.kind, user_name=excluded.user_name, alias=excluded.alias,
			remark_name=excluded.remark_name, nick_name=excluded.nick_name, sex=excluded.sex,
			province=excluded.province, city=excluded.city, last_seen=excluded.last_seen
	`
	clearAllUserNamesQuery = `UPDATE wechat_identity SET user_name=NULL WHERE login_id=$1 AND user_name IS NOT NULL`
	clearUserNameQuery     = `UPDATE wechat_identity SET user_name=NULL WHERE login_id=$1 AND puid=$2`

	listMembersQuery        = `SELECT group_puid, member_puid FROM wechat_identity_member WHERE login_id=$1`
	listGroupMembersQuery   = `SELECT member_puid FROM wechat_identity_member WHERE login_id=$1 AND group_puid=$2 ORDER BY member_puid`
	deleteGroupMembersQuery = `DELETE FROM wechat_identity_member WHERE login_id=$1 AND group_puid=$2`
	insertMemberQuery       = `INSERT INTO wechat_identity_member (login_id, group_puid, member_puid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`

	// Postgres only: serialise identity writes per login. SQLite serialises
	// writers anyway (the bridge opens it with _txlock=immediate).
	lockLoginQuery = `SELECT pg_advisory_xact_lock(2004378226, hashtext($1))`
)

var (
	massUpsertIdentity = dbutil.NewMassInsertBuilder[*Identity, [1]any](upsertIdentityQuery,
		"($1, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)")
	massInsertMember = dbutil.NewMassInsertBuilder[memberRow, [1]any](insertMemberQuery, "($1, $%d, $%d)")
)

// Scan reads one row in identityColumns order.
func (s *Identity) Scan(row dbutil.Scannable) (*Identity, error) {
	var userName, mergedInto sql.NullString
	var firstSeen, lastSeen int64
	err := row.Scan(&s.LoginID, &s.PUID, &s.Kind, &userName, &s.Alias, &s.RemarkName, &s.NickName,
		&s.Sex, &s.Province, &s.City, &mergedInto, &firstSeen, &lastSeen)
	if err != nil {
		return nil, err
	}
	s.UserName = userName.String
	s.MergedInto = mergedInto.String
	s.FirstSeen = time.UnixMilli(firstSeen)
	s.LastSeen = time.UnixMilli(lastSeen)
	return s, nil
}

// GetMassInsertValues returns every column but login_id, in identityColumns order.
func (s *Identity) GetMassInsertValues() [12]any {
	return [12]any{s.PUID, string(s.Kind), dbutil.StrPtr(s.UserName), s.Alias, s.RemarkName, s.NickName,
		s.Sex, s.Province, s.City, dbutil.StrPtr(s.MergedInto), s.FirstSeen.UnixMilli(), s.LastSeen.UnixMilli()}
}

type memberRow struct{ group, member string }

func (m memberRow) GetMassInsertValues() [2]any { return [2]any{m.group, m.member} }

type identityMember struct{ group, member string }

func scanIdentityMember(row dbutil.Scannable) (*identityMember, error) {
	return (&identityMember{}).Scan(row)
}

func (m *identityMember) Scan(row dbutil.Scannable) (*identityMember, error) {
	return dbutil.ValueOrErr(m, row.Scan(&m.group, &m.member))
}

// GetByUserName returns the identity holding a session UserName, or (nil, nil).
func (q *IdentityQuery) GetByUserName(ctx context.Context, loginID, userName string) (*Identity, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	} else if err = checkUserName(userName); err != nil {
		return nil, err
	}
	s, err := q.QueryOne(ctx, getIdentityByUserNameQuery, loginID, userName)
	if err != nil {
		return nil, fmt.Errorf("database: get identity by UserName: %w", err)
	}
	return s, nil
}

// GetByPUID returns the identity of a PUID, following merges: the PUID of a
// merged identity returns the identity it was merged into. (nil, nil) if the
// PUID is unknown.
func (q *IdentityQuery) GetByPUID(ctx context.Context, loginID, puid string) (*Identity, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	} else if err = checkPUID(puid); err != nil {
		return nil, err
	}
	for range maxMergeDepth {
		s, err := q.QueryOne(ctx, getIdentityByPUIDQuery, loginID, puid)
		if err != nil {
			return nil, fmt.Errorf("database: get identity by PUID: %w", err)
		} else if s == nil || s.MergedInto == "" {
			return s, nil
		}
		puid = s.MergedInto
	}
	return nil, fmt.Errorf("%w (from %s)", ErrMergeChainLoop, puid)
}

// UserNameOf returns the current session UserName of a PUID (following
// merges), to send to it. It is "" (and no error) when the PUID is unknown
// or the contact has not been seen in this session.
func (q *IdentityQuery) UserNameOf(ctx context.Context, loginID, puid string) (string, error) {
	s, err := q.GetByPUID(ctx, loginID, puid)
	if err != nil || s == nil {
		return "", err
	}
	return s.UserName, nil
}

// List returns every identity of a login, merged ones included, oldest first.
func (q *IdentityQuery) List(ctx context.Context, loginID string) ([]*Identity, error) {
	if err := checkLoginID(loginID); err != nil {
		return nil, err
	}
	list, err := q.QueryMany(ctx, listIdentitiesQuery, loginID)
	if err != nil {
		return nil, fmt.Errorf("database: list identities: %w", err)
	}
	return list, nil
}

// Members returns the member PUIDs stored for a group (following merges of
// the group itself), sorted.
func (q *IdentityQuery) Members(ctx context.Context, loginID, groupPUID string) ([]string, error) {
	group, err := q.GetByPUID(ctx, loginID, groupPUID)
	if err != nil || group == nil {
		return nil, err
	}
	rows, err := q.GetDB().Query(ctx, listGroupMembersQuery, loginID, group.PUID)
	members, err := dbutil.NewRowIterWithError(rows, dbutil.ScanSingleColumn[string], err).AsList()
	if err != nil {
		return nil, fmt.Errorf("database: list group members: %w", err)
	}
	return members, nil
}

// loadActive reads the unmerged identities of a login and, if withMembers,
// the stored group memberships.
func (q *IdentityQuery) loadActive(ctx context.Context, loginID string, withMembers bool) ([]*Identity, map[string][]string, error) {
	stored, err := q.QueryMany(ctx, listActiveIdentitiesQuery, loginID)
	if err != nil {
		return nil, nil, fmt.Errorf("database: load identities: %w", err)
	}
	members := make(map[string][]string)
	if !withMembers {
		return stored, members, nil
	}
	rows, err := q.GetDB().Query(ctx, listMembersQuery, loginID)
	err = dbutil.NewRowIterWithError(rows, scanIdentityMember, err).Iter(func(m *identityMember) (bool, error) {
		members[m.group] = append(members[m.group], m.member)
		return true, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("database: load group members: %w", err)
	}
	return stored, members, nil
}

// lockLogin serialises identity writes of one login on PostgreSQL. It must
// run inside a transaction; the lock ends with it.
func (q *IdentityQuery) lockLogin(ctx context.Context, loginID string) error {
	if q.GetDB().Dialect != dbutil.Postgres {
		return nil
	}
	if _, err := q.GetDB().Exec(ctx, lockLoginQuery, loginID); err != nil {
		return fmt.Errorf("database: lock login: %w", err)
	}
	return nil
}
