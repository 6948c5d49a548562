package database

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

const (
	setIdentityLiveQuery = `
		UPDATE wechat_identity SET user_name=$3, alias=$4, remark_name=$5, nick_name=$6, sex=$7, province=$8, city=$9,
			first_seen=$10, last_seen=$11
		WHERE login_id=$1 AND puid=$2
	`
	setFirstSeenQuery    = `UPDATE wechat_identity SET first_seen=$3 WHERE login_id=$1 AND puid=$2`
	markMergedQuery      = `UPDATE wechat_identity SET merged_into=$3, user_name=NULL WHERE login_id=$1 AND puid=$2`
	repointMergedQuery   = `UPDATE wechat_identity SET merged_into=$3 WHERE login_id=$1 AND merged_into=$2`
	copyMembershipsQuery = `
		INSERT INTO wechat_identity_member (login_id, group_puid, member_puid)
		SELECT login_id, group_puid, $3 FROM wechat_identity_member WHERE login_id=$1 AND member_puid=$2
		ON CONFLICT DO NOTHING
	`
	deleteMembershipsQuery = `DELETE FROM wechat_identity_member WHERE login_id=$1 AND member_puid=$2`
	copyGroupMembersQuery  = `
		INSERT INTO wechat_identity_member (login_id, group_puid, member_puid)
		SELECT login_id, $3, member_puid FROM wechat_identity_member WHERE login_id=$1 AND group_puid=$2
		ON CONFLICT DO NOTHING
	`
)

// Merge records that dropPUID and keepPUID are the same contact (the admin
// command for ambiguities MapSession could not settle). Afterwards lookups of
// dropPUID return keepPUID's identity; drop's current UserName (and with it
// its current profile) moves to keep when keep has none; group memberships
// move to keep. Merging two identities that both hold a UserName of the
// current session is refused: Web WeChat says they are different contacts.
// Merging again into the same identity is a no-op.
func (q *IdentityQuery) Merge(ctx context.Context, loginID, keepPUID, dropPUID string) error {
	if err := checkLoginID(loginID); err != nil {
		return err
	} else if err = checkPUID(keepPUID); err != nil {
		return err
	} else if err = checkPUID(dropPUID); err != nil {
		return err
	}
	err := q.GetDB().DoTxn(ctx, nil, func(ctx context.Context) error {
		if err := q.lockLogin(ctx, loginID); err != nil {
			return err
		}
		keep, err := q.GetByPUID(ctx, loginID, keepPUID)
		if err != nil {
			return err
		} else if keep == nil {
			return fmt.Errorf("%w: %s", ErrUnknownPUID, keepPUID)
		}
		drop, err := q.QueryOne(ctx, getIdentityByPUIDQuery, loginID, dropPUID)
		if err != nil {
			return err
		} else if drop == nil {
			return fmt.Errorf("%w: %s", ErrUnknownPUID, dropPUID)
		}
		if drop.MergedInto != "" {
			final, err := q.GetByPUID(ctx, loginID, dropPUID)
			if err != nil {
				return err
			} else if final.PUID == keep.PUID {
				return nil
			}
			return fmt.Errorf("%w: %s is merged into %s", ErrAlreadyMerged, dropPUID, final.PUID)
		}
		switch {
		case keep.PUID == drop.PUID:
			return fmt.Errorf("%w: %s and %s are the same identity", ErrCannotMerge, keepPUID, dropPUID)
		case keep.Kind != drop.Kind:
			return fmt.Errorf("%w: %s is a %s, %s a %s", ErrCannotMerge, keep.PUID, keep.Kind, drop.PUID, drop.Kind)
		case keep.UserName != "" && drop.UserName != "":
			return fmt.Errorf("%w: both %s and %s are in the current session", ErrCannotMerge, keep.PUID, drop.PUID)
		}
		return q.doMerge(ctx, keep, drop)
	})
	if err != nil {
		return fmt.Errorf("database: merge %s into %s: %w", dropPUID, keepPUID, err)
	}
	zerolog.Ctx(ctx).Info().Str("keep_puid", keepPUID).Str("drop_puid", dropPUID).Msg("Merged identities")
	return nil
}

func (q *IdentityQuery) doMerge(ctx context.Context, keep, drop *Identity) error {
	db := q.GetDB()
	loginID := keep.LoginID
	firstSeen := keep.FirstSeen
	if drop.FirstSeen.Before(firstSeen) {
		firstSeen = drop.FirstSeen
	}
	// Free the UserName before keep takes it (it is unique per login).
	if _, err := db.Exec(ctx, markMergedQuery, loginID, drop.PUID, keep.PUID); err != nil {
		return fmt.Errorf("mark merged: %w", err)
	}
	if _, err := db.Exec(ctx, repointMergedQuery, loginID, drop.PUID, keep.PUID); err != nil {
		return fmt.Errorf("repoint earlier merges: %w", err)
	}
	var err error
	if drop.UserName != "" {
		// drop is the identity of the current session: its profile is the
		// fresh one.
		alias := drop.Alias
		if alias == "" {
			alias = keep.Alias
		}
		_, err = db.Exec(ctx, setIdentityLiveQuery, loginID, keep.PUID, drop.UserName, alias, drop.RemarkName,
			drop.NickName, drop.Sex, drop.Province, drop.City, firstSeen.UnixMilli(), latest(keep.LastSeen, drop.LastSeen).UnixMilli())
	} else {
		_, err = db.Exec(ctx, setFirstSeenQuery, loginID, keep.PUID, firstSeen.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("update kept identity: %w", err)
	}
	steps := []struct {
		query string
		args  []any
	}{
		{copyMembershipsQuery, []any{loginID, drop.PUID, keep.PUID}},
		{deleteMembershipsQuery, []any{loginID, drop.PUID}},
		{copyGroupMembersQuery, []any{loginID, drop.PUID, keep.PUID}},
		{deleteGroupMembersQuery, []any{loginID, drop.PUID}},
	}
	for _, step := range steps {
		if _, err = db.Exec(ctx, step.query, step.args...); err != nil {
			return fmt.Errorf("move memberships: %w", err)
		}
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
