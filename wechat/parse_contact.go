package wechat

// FriendRequest is a request to become friends (MsgType 37, from
// fmessage). Accept it with webwxverifyuser using UserName and Ticket.
type FriendRequest struct {
	// UserName is the requester's session UserName (RecommendInfo).
	UserName string
	NickName string
	// Greeting is the text the requester wrote.
	Greeting string
	Ticket   string
	Alias    string
	Province string
	City     string
	Sex      int
	Scene    int
	// RealID is the requester's real id (fromusername in the XML).
	RealID string
	// EncryptUserName is the "…@stranger" name in the XML.
	EncryptUserName string
}

// Card is a shared contact card (MsgType 42).
type Card struct {
	// UserName is RecommendInfo.UserName, else the XML's username (which
	// may be a real id or an "…@stranger" name).
	UserName   string
	NickName   string
	Alias      string
	Province   string
	City       string
	HeadImgURL string
	Sex        int
	// IsOfficial is true for official accounts (certflag, or VerifyFlag
	// with the brand bit).
	IsOfficial bool
}

// PossibleFriend is a friend recommendation (MsgType 40).
type PossibleFriend struct {
	UserName string
	NickName string
}

func (*FriendRequest) isContent()  {}
func (*Card) isContent()           {}
func (*PossibleFriend) isContent() {}

// parseFriendRequest merges RecommendInfo with the attributes of the <msg>
// in Content; RecommendInfo wins where both have a value. The XML only
// adds details: without it the request can still be accepted, so a broken
// XML is ignored as long as RecommendInfo names the requester.
func parseFriendRequest(raw *RawMessage, body string) Content {
	ri := &raw.RecommendInfo
	root, err := decodePayload(body)
	if err != nil && ri.UserName == "" {
		return unsupported(raw, "friend request XML", err)
	}
	el := root.self("msg")
	fr := &FriendRequest{
		UserName:        ri.UserName,
		NickName:        CleanName(firstNonEmpty(ri.NickName, el.attr("fromnickname"))),
		Greeting:        CleanName(firstNonEmpty(ri.Content, el.attr("content"))),
		Ticket:          firstNonEmpty(ri.Ticket, raw.Ticket, el.attr("ticket")),
		Alias:           CleanName(firstNonEmpty(ri.Alias, el.attr("alias"))),
		Province:        CleanName(firstNonEmpty(ri.Province, el.attr("province"))),
		City:            CleanName(firstNonEmpty(ri.City, el.attr("city"))),
		Sex:             ri.Sex,
		Scene:           ri.Scene,
		RealID:          el.attr("fromusername"),
		EncryptUserName: el.attr("encryptusername"),
	}
	if fr.Sex == 0 {
		fr.Sex = int(parseInt(el.attr("sex")))
	}
	if fr.Scene == 0 {
		fr.Scene = int(parseInt(el.attr("scene")))
	}
	if fr.UserName == "" {
		fr.UserName = firstNonEmpty(fr.EncryptUserName, fr.RealID)
	}
	if fr.UserName == "" {
		return unsupported(raw, "friend request", errNoElement("fromusername"))
	}
	return fr
}

// parseCard merges RecommendInfo with the attributes of the <msg> in
// Content, like parseFriendRequest.
func parseCard(raw *RawMessage, body string) Content {
	ri := &raw.RecommendInfo
	root, err := decodePayload(body)
	if err != nil && ri.UserName == "" {
		return unsupported(raw, "card XML", err)
	}
	el := root.self("msg")
	c := &Card{
		UserName:   firstNonEmpty(ri.UserName, el.attr("username")),
		NickName:   CleanName(firstNonEmpty(ri.NickName, el.attr("nickname"))),
		Alias:      CleanName(firstNonEmpty(ri.Alias, el.attr("alias"))),
		Province:   CleanName(firstNonEmpty(ri.Province, el.attr("province"))),
		City:       CleanName(firstNonEmpty(ri.City, el.attr("city"))),
		HeadImgURL: cleanURL(firstNonEmpty(el.attr("bigheadimgurl"), el.attr("smallheadimgurl"))),
		Sex:        ri.Sex,
		IsOfficial: ri.VerifyFlag&VerifyFlagBizBrand != 0 || parseInt(el.attr("certflag")) != 0,
	}
	if c.Sex == 0 {
		c.Sex = int(parseInt(el.attr("sex")))
	}
	if c.UserName == "" {
		return unsupported(raw, "card", errNoElement("username"))
	}
	return c
}

func parsePossibleFriend(raw *RawMessage) Content {
	return &PossibleFriend{
		UserName: raw.RecommendInfo.UserName,
		NickName: CleanName(raw.RecommendInfo.NickName),
	}
}
