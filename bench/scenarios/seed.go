package scenarios

import (
	"fmt"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// Seeds of the simulated accounts. Every contact has a unique nickname, so
// that the identity layer maps each to its own PUID without ambiguity.

func filehelper() wechattest.SeedContact {
	return wechattest.SeedContact{ID: "filehelper", NickName: "文件传输助手", Friend: true}
}

func friend(id string, n int) wechattest.SeedContact {
	provinces := []string{"Guangdong", "Beijing", "Shanghai", "Zhejiang", "Sichuan", "Hubei"}
	return wechattest.SeedContact{
		ID: id, NickName: fmt.Sprintf("Friend %s", id), Sex: 1 + n%2,
		Province: provinces[n%len(provinces)], City: fmt.Sprintf("City %d", n%37), Friend: true,
	}
}

// chat is one chat of the messaging scenarios and who writes in it.
type chat struct {
	id      string
	group   bool
	senders []string // seed ids; "" is the peer of a DM
}

// messagingSeed is an account with n chats: about half DMs (friends d…)
// and half groups (g…, saved to contacts, self and three friends each, two
// of whom write).
func messagingSeed(uin int64, n int) (*wechattest.Seed, []chat) {
	seed := &wechattest.Seed{
		Uin:  uin,
		Self: wechattest.SeedContact{ID: wechattest.SelfID, NickName: "Bench", Sex: 1},
	}
	seed.Contacts = append(seed.Contacts, filehelper())
	groups := n / 2
	dms := n - groups
	var chats []chat
	for i := range dms {
		id := fmt.Sprintf("d%03d", i)
		seed.Contacts = append(seed.Contacts, friend(id, i))
		chats = append(chats, chat{id: id, senders: []string{""}})
	}
	for i := range groups {
		var members []string
		for j := range 3 {
			id := fmt.Sprintf("m%03d_%d", i, j)
			seed.Contacts = append(seed.Contacts, friend(id, i*3+j))
			members = append(members, id)
		}
		id := fmt.Sprintf("g%03d", i)
		seed.Contacts = append(seed.Contacts, wechattest.SeedContact{
			ID: id, NickName: fmt.Sprintf("Group %03d", i), Group: true, SavedToContacts: true,
			Members: append([]string{wechattest.SelfID}, members...),
		})
		chats = append(chats, chat{id: id, group: true, senders: members[:2]})
	}
	// DMs and groups alternate, so that a burst mixes them.
	mixed := make([]chat, 0, len(chats))
	for i := 0; i < max(dms, groups); i++ {
		if i < dms {
			mixed = append(mixed, chats[i])
		}
		if i < groups {
			mixed = append(mixed, chats[dms+i])
		}
	}
	return seed, mixed
}

// bigSeed is an account with contacts friends and groups groups of size
// members each (self and size-1 of the friends).
func bigSeed(uin int64, contacts, groups, size int) *wechattest.Seed {
	seed := &wechattest.Seed{
		Uin:  uin,
		Self: wechattest.SeedContact{ID: wechattest.SelfID, NickName: fmt.Sprintf("Big %d", uin), Sex: 2},
	}
	seed.Contacts = append(seed.Contacts, filehelper())
	for i := range contacts {
		seed.Contacts = append(seed.Contacts, friend(fmt.Sprintf("c%05d", i), i))
	}
	for g := range groups {
		members := []string{wechattest.SelfID}
		for j := 0; j < size-1 && j < contacts; j++ {
			members = append(members, fmt.Sprintf("c%05d", (g*size+j)%contacts))
		}
		seed.Contacts = append(seed.Contacts, wechattest.SeedContact{
			ID: fmt.Sprintf("g%04d", g), NickName: fmt.Sprintf("Group %04d of %d", g, uin), Group: true,
			SavedToContacts: true, Members: members,
		})
	}
	return seed
}
