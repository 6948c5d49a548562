package wechattest

import "github.com/wxbridge/wxbridge/wechat"

// The simulator writes contacts with every field the real server sends,
// also those the client does not decode (wechat.Member keeps only what the
// bridge reads), so that the client parses answers of the real size. An
// outer field hides the embedded one of the same name in JSON.

// wireMember is a MemberList entry as the server writes it.
type wireMember struct {
	wechat.Member
	PYInitial       string
	PYQuanPin       string
	RemarkPYInitial string
	RemarkPYQuanPin string
	KeyWord         string
}

// wireContact is a contact as the server writes it.
type wireContact struct {
	wechat.Contact
	MemberList []wireMember
}

// contactPage is webwxgetcontact's answer.
type contactPage struct {
	wechat.ContactListResponse
	MemberList []wireContact
}

// batchContactAnswer is webwxbatchgetcontact's answer.
type batchContactAnswer struct {
	wechat.BatchContactResponse
	ContactList []wireContact
}

// syncAnswer is webwxsync's answer.
type syncAnswer struct {
	wechat.SyncResponse
	ModContactList        []wireContact
	ModChatRoomMemberList []wireMember
}
