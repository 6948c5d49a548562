package database

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/internal/pgtest"
)

const (
	largeUsers  = 2000
	largeGroups = 200
	groupSize   = 20
)

// largeAccount is an account with largeUsers friends and largeGroups groups
// as seen at login number gen: every UserName differs between generations.
// A quarter of the users have an alias, a quarter only a remark, the rest
// only a profile; group j has 20 members overlapping a third with its
// neighbours, and every fifth group is renamed in odd generations.
func largeAccount(gen int) []SessionContact {
	contacts := make([]SessionContact, 0, largeUsers+largeGroups)
	for i := range largeUsers {
		c := SessionContact{
			UserName: fmt.Sprintf("@u%d_%04d", gen, i),
			NickName: fmt.Sprintf("Nick %d", i),
			Sex:      i % 3,
			Province: fmt.Sprintf("Province %d", i%34),
			City:     fmt.Sprintf("City %d", i%300),
		}
		switch i % 4 {
		case 0:
			c.Alias = fmt.Sprintf("wx_%d", i)
		case 1:
			c.RemarkName = fmt.Sprintf("Remark %d", i)
		}
		contacts = append(contacts, c)
	}
	for j := range largeGroups {
		g := SessionContact{UserName: fmt.Sprintf("@@g%d_%03d", gen, j), Group: true, NickName: fmt.Sprintf("Group %d", j)}
		if j%5 == 0 && gen%2 == 1 {
			g.NickName += " (renamed)"
		}
		for k := range groupSize {
			g.MemberUserNames = append(g.MemberUserNames, fmt.Sprintf("@u%d_%04d", gen, (j*10+k)%largeUsers))
		}
		contacts = append(contacts, g)
	}
	return contacts
}

func expectedLargeMethod(i int) MatchMethod {
	if i >= largeUsers {
		return MatchGroupMembers
	}
	switch i % 4 {
	case 0:
		return MatchAlias
	case 1:
		return MatchRemark
	}
	return MatchProfile
}

func TestMapLarge(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		first, err := db.Identity.MapSession(ctx, testLogin, largeAccount(0))
		require.NoError(t, err)
		require.Len(t, first.Contacts, largeUsers+largeGroups)
		assert.Equal(t, largeUsers+largeGroups, first.Count(MatchNew))

		second, err := db.Identity.MapSession(ctx, testLogin, largeAccount(1))
		require.NoError(t, err)
		require.Len(t, second.Contacts, largeUsers+largeGroups)
		assert.Zero(t, second.Stale, "every identity got a new UserName")
		for i, got := range second.Contacts {
			old := first.Contacts[i]
			if !assert.Equal(t, expectedLargeMethod(i), got.Method, got.UserName) || !assert.Equal(t, old.PUID, got.PUID, got.UserName) {
				t.FailNow()
			}
		}
		list, err := db.Identity.List(ctx, testLogin)
		require.NoError(t, err)
		assert.Len(t, list, largeUsers+largeGroups)
		members, err := db.Identity.Members(ctx, testLogin, second.Contacts[largeUsers].PUID)
		require.NoError(t, err)
		assert.Len(t, members, groupSize)
	})
}

// BenchmarkMapSession measures a re-login of the large account (every UserName
// new) against each database.
func BenchmarkMapSession(b *testing.B) {
	run := func(b *testing.B, db *Database) {
		ctx := testContext(b)
		accounts := [2][]SessionContact{largeAccount(0), largeAccount(1)}
		_, err := db.Identity.MapSession(ctx, testLogin, accounts[1])
		require.NoError(b, err)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			res, err := db.Identity.MapSession(ctx, testLogin, accounts[i%2])
			if err != nil || res.Count(MatchNew) != 0 {
				b.Fatalf("resolve: %v (new: %d)", err, res.Count(MatchNew))
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, newSQLiteTestDB(b)) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(pgtest.Env) == "" {
			b.Skip(pgtest.Env + " is not set")
		}
		run(b, newPostgresTestDB(b))
	})
}

var testTime = time.Unix(1_700_000_000, 0)

// BenchmarkMatcher measures the in-memory matching alone.
func BenchmarkMatcher(b *testing.B) {
	res := &Resolution{}
	stored := make([]*Identity, 0, largeUsers+largeGroups)
	members := map[string][]string{}
	puidOf := map[string]string{}
	for i, c := range normalizeContacts(largeAccount(0), res) {
		puid := fmt.Sprintf("p%015d", i)
		puidOf[c.UserName] = puid
		stored = append(stored, identityRow(testLogin, &c, puid, nil, testTime))
		for _, m := range c.MemberUserNames {
			members[puid] = append(members[puid], puidOf[m])
		}
	}
	contacts := normalizeContacts(largeAccount(1), &Resolution{})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m := newMatcher(true, stored, members, contacts, NewPUID)
		if err := m.run(); err != nil {
			b.Fatal(err)
		}
	}
}
