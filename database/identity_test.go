package database

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testLogin = "2718281828"

// user builds a user contact; sex, province and city default to 1/Zhejiang/Hangzhou.
func user(userName, alias, remark, nick string) SessionContact {
	return SessionContact{UserName: userName, Alias: alias, RemarkName: remark, NickName: nick, Sex: 1, Province: "Zhejiang", City: "Hangzhou"}
}

func userIn(userName, nick string, sex int, province, city string) SessionContact {
	return SessionContact{UserName: userName, NickName: nick, Sex: sex, Province: province, City: city}
}

func group(userName, name string, members ...string) SessionContact {
	return SessionContact{UserName: userName, Group: true, NickName: name, MemberUserNames: members}
}

// want is the expected outcome for a UserName of the second login: the
// UserName of the first login whose PUID it must get ("" for a new PUID) and
// the method.
type want struct {
	sameAs    string
	method    MatchMethod
	ambiguous bool
}

func TestMapRelogin(t *testing.T) {
	tests := []struct {
		name   string
		first  []SessionContact
		second []SessionContact
		want   map[string]want
	}{
		{
			name:   "resumed session",
			first:  []SessionContact{user("@a", "", "", "Ann"), group("@@g", "Family", "@a")},
			second: []SessionContact{user("@a", "", "", "Ann"), group("@@g", "Family", "@a")},
			want: map[string]want{
				"@a":  {"@a", MatchSameUserName, false},
				"@@g": {"@@g", MatchSameUserName, false},
			},
		},
		{
			name: "every UserName changed",
			first: []SessionContact{
				user("@a1", "ann_wx", "", "Ann"),
				user("@b1", "", "Bob from work", "Bob"),
				userIn("@c1", "Chen", 2, "Guangdong", "Shenzhen"),
				userIn("@d1", "Dai", 1, "Sichuan", "Chengdu"),
				group("@@g1", "Hiking", "@a1", "@b1", "@c1", "@d1"),
			},
			second: []SessionContact{
				user("@a2", "ann_wx", "", "Ann"),
				user("@b2", "", "Bob from work", "Bob"),
				userIn("@c2", "Chen", 2, "Guangdong", "Shenzhen"),
				userIn("@d2", "Dai", 1, "Sichuan", "Chengdu"),
				group("@@g2", "Hiking", "@a2", "@b2", "@c2", "@d2"),
			},
			want: map[string]want{
				"@a2":  {"@a1", MatchAlias, false},
				"@b2":  {"@b1", MatchRemark, false},
				"@c2":  {"@c1", MatchProfile, false},
				"@d2":  {"@d1", MatchProfile, false},
				"@@g2": {"@@g1", MatchGroupMembers, false},
			},
		},
		{
			name: "same nickname, different city",
			first: []SessionContact{
				userIn("@x1", "Li Wei", 1, "Beijing", "Beijing"),
				userIn("@y1", "Li Wei", 1, "Shanghai", "Shanghai"),
			},
			second: []SessionContact{
				userIn("@y2", "Li Wei", 1, "Shanghai", "Shanghai"),
				userIn("@x2", "Li Wei", 1, "Beijing", "Beijing"),
			},
			want: map[string]want{
				"@x2": {"@x1", MatchProfile, false},
				"@y2": {"@y1", MatchProfile, false},
			},
		},
		{
			name: "identical profiles are ambiguous",
			first: []SessionContact{
				userIn("@x1", "Wang Fang", 2, "Hubei", "Wuhan"),
				userIn("@y1", "Wang Fang", 2, "Hubei", "Wuhan"),
				userIn("@z1", "Zhou", 1, "Hubei", "Wuhan"),
			},
			second: []SessionContact{
				userIn("@x2", "Wang Fang", 2, "Hubei", "Wuhan"),
				userIn("@y2", "Wang Fang", 2, "Hubei", "Wuhan"),
				userIn("@z2", "Zhou", 1, "Hubei", "Wuhan"),
			},
			want: map[string]want{
				"@x2": {"", MatchNew, true},
				"@y2": {"", MatchNew, true},
				"@z2": {"@z1", MatchProfile, false},
			},
		},
		{
			name: "one namesake left after the other matched by alias",
			first: []SessionContact{
				user("@x1", "xiaoming88", "Ming", "Ming"),
				userIn("@y1", "Ming", 1, "Zhejiang", "Hangzhou"),
			},
			second: []SessionContact{
				user("@x2", "xiaoming88", "Ming", "Ming"),
				userIn("@y2", "Ming", 1, "Zhejiang", "Hangzhou"),
			},
			want: map[string]want{
				"@x2": {"@x1", MatchAlias, false},
				"@y2": {"@y1", MatchProfile, false},
			},
		},
		{
			name:   "remark renamed, profile unchanged",
			first:  []SessionContact{user("@a1", "", "Bob", "Bobby Tables")},
			second: []SessionContact{user("@a2", "", "Robert (school)", "Bobby Tables")},
			want:   map[string]want{"@a2": {"@a1", MatchProfile, false}},
		},
		{
			name:   "remark shared by two stored contacts",
			first:  []SessionContact{{UserName: "@a1", RemarkName: "Boss", NickName: "A"}, {UserName: "@b1", RemarkName: "Boss", NickName: "B"}},
			second: []SessionContact{{UserName: "@c2", RemarkName: "Boss", NickName: "C"}},
			want:   map[string]want{"@c2": {"", MatchNew, true}},
		},
		{
			name: "group renamed, same members",
			first: []SessionContact{
				user("@a1", "a", "", "A"), user("@b1", "b", "", "B"), user("@c1", "c", "", "C"),
				group("@@g1", "Book club", "@a1", "@b1", "@c1"),
			},
			second: []SessionContact{
				user("@a2", "a", "", "A"), user("@b2", "b", "", "B"), user("@c2", "c", "", "C"),
				group("@@g2", "Book club 2026", "@a2", "@b2", "@c2"),
			},
			want: map[string]want{
				"@a2": {"@a1", MatchAlias, false}, "@b2": {"@b1", MatchAlias, false}, "@c2": {"@c1", MatchAlias, false},
				"@@g2": {"@@g1", MatchGroupMembers, false},
			},
		},
		{
			name: "group with the same name but different members",
			first: []SessionContact{
				user("@a1", "a", "", "A"), user("@b1", "b", "", "B"), user("@c1", "c", "", "C"), user("@d1", "d", "", "D"),
				group("@@g1", "Family", "@a1", "@b1"),
			},
			second: []SessionContact{
				user("@a2", "a", "", "A"), user("@b2", "b", "", "B"), user("@c2", "c", "", "C"), user("@d2", "d", "", "D"),
				group("@@g2", "Family", "@c2", "@d2"),
			},
			want: map[string]want{
				"@a2": {"@a1", MatchAlias, false}, "@b2": {"@b1", MatchAlias, false},
				"@c2": {"@c1", MatchAlias, false}, "@d2": {"@d1", MatchAlias, false},
				"@@g2": {"", MatchNew, false},
			},
		},
		{
			name: "group name without member information",
			first: []SessionContact{
				user("@a1", "a", "", "A"),
				group("@@g1", "Neighbours", "@a1"),
				group("@@h1", "Twins"), group("@@i1", "Twins"),
			},
			second: []SessionContact{
				user("@a2", "a", "", "A"),
				group("@@g2", "Neighbours"),
				group("@@h2", "Twins"),
			},
			want: map[string]want{
				"@a2":  {"@a1", MatchAlias, false},
				"@@g2": {"@@g1", MatchGroupName, false},
				"@@h2": {"", MatchNew, true},
			},
		},
		{
			name: "two groups with the same members",
			first: []SessionContact{
				user("@a1", "a", "", "A"), user("@b1", "b", "", "B"), user("@c1", "c", "", "C"),
				group("@@g1", "Project", "@a1", "@b1", "@c1"),
				group("@@h1", "Project (old)", "@a1", "@b1", "@c1"),
			},
			second: []SessionContact{
				user("@a2", "a", "", "A"), user("@b2", "b", "", "B"), user("@c2", "c", "", "C"),
				group("@@g2", "Project", "@a2", "@b2", "@c2"),
				group("@@h2", "Project (old)", "@a2", "@b2", "@c2"),
			},
			want: map[string]want{
				"@a2": {"@a1", MatchAlias, false}, "@b2": {"@b1", MatchAlias, false}, "@c2": {"@c1", MatchAlias, false},
				"@@g2": {"@@g1", MatchGroupMembers, false},
				"@@h2": {"@@h1", MatchGroupMembers, false},
			},
		},
		{
			name: "user and group never match each other",
			first: []SessionContact{
				{UserName: "@a1", RemarkName: "Team"},
				group("@@g1", "Team"),
			},
			second: []SessionContact{
				{UserName: "@@g2", Group: true, RemarkName: "Team"},
			},
			want: map[string]want{"@@g2": {"", MatchNew, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
				first, err := db.Identity.MapSession(ctx, testLogin, tt.first)
				require.NoError(t, err)
				require.Empty(t, first.Rejected)
				second, err := db.Identity.MapSession(ctx, testLogin, tt.second)
				require.NoError(t, err)
				require.Empty(t, second.Rejected)
				require.Len(t, second.Contacts, len(tt.want))

				seen := map[string]string{}
				for userName, w := range tt.want {
					got := second.Get(userName)
					require.NotNil(t, got, userName)
					assert.Equal(t, w.method, got.Method, userName)
					if w.sameAs != "" {
						puid, ok := first.PUID(w.sameAs)
						require.True(t, ok)
						assert.Equal(t, puid, got.PUID, "%s should keep the PUID of %s", userName, w.sameAs)
					} else {
						for _, old := range first.Contacts {
							assert.NotEqual(t, old.PUID, got.PUID, "%s should get a new PUID", userName)
						}
					}
					assert.Equal(t, w.ambiguous, len(got.Ambiguities) > 0, "ambiguities of %s: %+v", userName, got.Ambiguities)
					require.NotContains(t, seen, got.PUID, "PUID given to both %s and %s", seen[got.PUID], userName)
					seen[got.PUID] = userName

					// The current session maps both ways.
					ident, err := db.Identity.GetByUserName(ctx, testLogin, userName)
					require.NoError(t, err)
					require.NotNil(t, ident)
					assert.Equal(t, got.PUID, ident.PUID)
					name, err := db.Identity.UserNameOf(ctx, testLogin, got.PUID)
					require.NoError(t, err)
					assert.Equal(t, userName, name)
				}
				// UserNames of the first session that were not reused are gone.
				for _, c := range tt.first {
					if _, again := tt.want[c.UserName]; again {
						continue
					}
					ident, err := db.Identity.GetByUserName(ctx, testLogin, c.UserName)
					require.NoError(t, err)
					assert.Nil(t, ident, "stale UserName %s still maps", c.UserName)
				}
			})
		})
	}
}

func TestMapAmbiguityReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		first, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			userIn("@x1", "Wang Fang", 2, "Hubei", "Wuhan"),
			userIn("@y1", "Wang Fang", 2, "Hubei", "Wuhan"),
		})
		require.NoError(t, err)
		second, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{userIn("@x2", "Wang Fang", 2, "Hubei", "Wuhan")})
		require.NoError(t, err)
		got := second.Get("@x2")
		require.NotNil(t, got)
		assert.Equal(t, MatchNew, got.Method)
		require.Len(t, got.Ambiguities, 1)
		a := got.Ambiguities[0]
		assert.Equal(t, MatchProfile, a.Method)
		assert.Equal(t, 1, a.Contenders)
		x1, _ := first.PUID("@x1")
		y1, _ := first.PUID("@y1")
		assert.ElementsMatch(t, []string{x1, y1}, a.Candidates)
		assert.Len(t, second.Ambiguous(), 1)
		assert.Equal(t, 1, second.Count(MatchNew))
		assert.Equal(t, 2, second.Stale)
	})
}

func TestMapDisappearedAndBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		first, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			user("@a1", "", "Aunt May", "May"), user("@b1", "", "", "Ben"),
		})
		require.NoError(t, err)
		// Second login: May is gone (deleted, or missing from the list).
		second, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@b2", "", "", "Ben")})
		require.NoError(t, err)
		assert.Equal(t, 1, second.Stale)
		mayPUID, _ := first.PUID("@a1")
		name, err := db.Identity.UserNameOf(ctx, testLogin, mayPUID)
		require.NoError(t, err)
		assert.Empty(t, name, "a contact missing from the session has no UserName")
		may, err := db.Identity.GetByPUID(ctx, testLogin, mayPUID)
		require.NoError(t, err)
		require.NotNil(t, may, "the identity itself is kept")
		assert.Equal(t, "Aunt May", may.RemarkName)

		// Third login: she is back.
		third, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a3", "", "Aunt May", "May"), user("@b3", "", "", "Ben")})
		require.NoError(t, err)
		got := third.Get("@a3")
		require.NotNil(t, got)
		assert.Equal(t, mayPUID, got.PUID)
		assert.Equal(t, MatchRemark, got.Method)
		benPUID, _ := first.PUID("@b1")
		assert.Equal(t, benPUID, third.Get("@b3").PUID)
	})
}

func TestMapRefreshesProfile(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		first, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a1", "ann_wx", "Ann", "Ann")})
		require.NoError(t, err)
		puid, _ := first.PUID("@a1")
		before, err := db.Identity.GetByPUID(ctx, testLogin, puid)
		require.NoError(t, err)

		// Alias omitted this time (Web WeChat often does), nickname changed.
		_, err = db.Identity.MapSession(ctx, testLogin, []SessionContact{{UserName: "@a1", RemarkName: "Ann", NickName: "Annie", Sex: 2, City: "Ningbo"}})
		require.NoError(t, err)
		after, err := db.Identity.GetByPUID(ctx, testLogin, puid)
		require.NoError(t, err)
		assert.Equal(t, "ann_wx", after.Alias, "a known alias is not erased by an empty one")
		assert.Equal(t, "Annie", after.NickName)
		assert.Equal(t, 2, after.Sex)
		assert.Equal(t, "Ningbo", after.City)
		assert.Equal(t, "", after.Province)
		assert.Equal(t, before.FirstSeen, after.FirstSeen)
		assert.False(t, after.LastSeen.Before(before.LastSeen))
		assert.Equal(t, KindUser, after.Kind)
		assert.Equal(t, testLogin, after.LoginID)
	})
}

func TestMapMore(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		_, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			user("@a1", "", "Boss", "Zhang"), user("@gone1", "", "", "Gone"),
		})
		require.NoError(t, err)
		login2, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a2", "", "Boss", "Zhang")})
		require.NoError(t, err)
		bossPUID, _ := login2.PUID("@a2")

		// A new friend mid-session who comes back from an older session.
		back, err := db.Identity.MapOne(ctx, testLogin, user("@gone2", "", "", "Gone"))
		require.NoError(t, err)
		assert.Equal(t, MatchProfile, back.Method)

		// Another contact with the same remark as a live one: the remark is not
		// unique in the account, and the live identity is no candidate.
		other, err := db.Identity.MapOne(ctx, testLogin, SessionContact{UserName: "@b2", RemarkName: "Boss", NickName: "Li"})
		require.NoError(t, err)
		assert.Equal(t, MatchNew, other.Method)
		assert.NotEqual(t, bossPUID, other.PUID)

		// The session's other UserNames are untouched.
		name, err := db.Identity.UserNameOf(ctx, testLogin, bossPUID)
		require.NoError(t, err)
		assert.Equal(t, "@a2", name)

		// Seen again mid-session (ModContact): same PUID, fresh profile.
		again, err := db.Identity.MapOne(ctx, testLogin, SessionContact{UserName: "@b2", RemarkName: "Li (new)", NickName: "Li"})
		require.NoError(t, err)
		assert.Equal(t, MatchSameUserName, again.Method)
		assert.Equal(t, other.PUID, again.PUID)

		// A group with a stranger: members of this call and of the session count.
		res, err := db.Identity.MapMore(ctx, testLogin, []SessionContact{
			{UserName: "@s2", NickName: "Stranger"},
			group("@@g2", "Lunch", "@a2", "@s2", "@unknown"),
		})
		require.NoError(t, err)
		gPUID, _ := res.PUID("@@g2")
		sPUID, _ := res.PUID("@s2")
		members, err := db.Identity.Members(ctx, testLogin, gPUID)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{bossPUID, sPUID}, members)
	})
}

func TestMapGroupMembersStored(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		res, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			user("@a", "a", "", "A"), user("@b", "b", "", "B"),
			group("@@g", "G", "@a", "@b", "@a", "@@g"),
		})
		require.NoError(t, err)
		gPUID, _ := res.PUID("@@g")
		aPUID, _ := res.PUID("@a")
		bPUID, _ := res.PUID("@b")
		members, err := db.Identity.Members(ctx, testLogin, gPUID)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{aPUID, bPUID}, members)

		// No member list: stored members are kept. A new list replaces them.
		_, err = db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a", "a", "", "A"), user("@b", "b", "", "B"), group("@@g", "G")})
		require.NoError(t, err)
		members, err = db.Identity.Members(ctx, testLogin, gPUID)
		require.NoError(t, err)
		assert.Len(t, members, 2)
		_, err = db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a", "a", "", "A"), user("@b", "b", "", "B"), group("@@g", "G", "@b")})
		require.NoError(t, err)
		members, err = db.Identity.Members(ctx, testLogin, gPUID)
		require.NoError(t, err)
		assert.Equal(t, []string{bPUID}, members)
	})
}

func TestMapLoginsAreSeparate(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		a, err := db.Identity.MapSession(ctx, "1001", []SessionContact{user("@x", "same_alias", "", "X")})
		require.NoError(t, err)
		b, err := db.Identity.MapSession(ctx, "1002", []SessionContact{user("@x", "same_alias", "", "X")})
		require.NoError(t, err)
		assert.Equal(t, MatchNew, b.Get("@x").Method)
		assert.NotEqual(t, a.Get("@x").PUID, b.Get("@x").PUID)
		other, err := db.Identity.GetByPUID(ctx, "1002", a.Get("@x").PUID)
		require.NoError(t, err)
		assert.Nil(t, other)
		list, err := db.Identity.List(ctx, "1001")
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
}
