package wechat

import (
	"strings"
	"time"
)

// Link is a link card: AppMsgType 5 (article or URL), 3 (music), 4 (video
// link) or 7 (third-party app).
type Link struct {
	Title       string
	Description string
	URL         string
	ThumbURL    string
	// AppName is the sharing app (<appinfo><appname>) or the source
	// account's display name, if any.
	AppName string
}

// Article is one item of an article push.
type Article struct {
	Title  string
	URL    string
	Digest string
	Cover  string
	// PubTime is zero when the push does not say.
	PubTime time.Time
}

// Articles is an official-account push (any app message with <mmreader>,
// and MsgType 1 from newsapp).
type Articles struct {
	Items []Article
}

// File is an attachment (AppMsgType 6). Download it with webwxgetmedia.
type File struct {
	// Name is FileName, else the title.
	Name string
	// Ext is <fileext> without a dot, else the extension of Name.
	Ext string
	// Size is FileSize (a string on the wire), else <totallen>.
	Size          int64
	MediaID       string
	EncryFileName string
	// AttachID is <appattach><attachid>.
	AttachID string
}

// MiniProgram is a shared mini program (AppMsgType 33 and 36).
type MiniProgram struct {
	Title   string
	AppName string
	URL     string
}

// Transfer is a money transfer (AppMsgType 2000, or FileName "微信转账").
// Web clients can only say that it happened.
type Transfer struct {
	Title       string
	Description string
}

// RedPacket is a red packet (AppMsgType 2001). Web clients can only say
// that it arrived.
type RedPacket struct {
	Title string
}

// RealtimeLocation says that someone started sharing their live location
// (AppMsgType 17). The end arrives as a system message.
type RealtimeLocation struct {
	Title string
}

// ChatHistory is a forwarded bundle of messages (AppMsgType 19). Web
// clients get only its title and a text summary.
type ChatHistory struct {
	Title       string
	Description string
}

// AppMessage is any other app message.
type AppMessage struct {
	AppMsgType  int
	Title       string
	Description string
	URL         string
}

func (*Link) isContent()             {}
func (*Articles) isContent()         {}
func (*File) isContent()             {}
func (*MiniProgram) isContent()      {}
func (*Transfer) isContent()         {}
func (*RedPacket) isContent()        {}
func (*RealtimeLocation) isContent() {}
func (*ChatHistory) isContent()      {}
func (*AppMessage) isContent()       {}

// transferFileName is the FileName of money transfers.
const transferFileName = "微信转账"

// parseAppMessage reads an app message (MsgType 49). Its XML is its
// payload: if it cannot be read the result is *Unsupported, except for
// transfers, which FileName alone identifies.
func parseAppMessage(raw *RawMessage, body string) Content {
	root, err := decodePayload(body)
	if err != nil {
		if raw.FileName == transferFileName {
			return &Transfer{Title: transferFileName}
		}
		return unsupported(raw, "app message XML", err)
	}
	if a := parseArticles(root); a != nil {
		return a
	}
	app := root.self("appmsg")
	if app == nil {
		return unsupported(raw, "app message XML", errNoElement("appmsg"))
	}
	typ := raw.AppMsgType
	if typ == 0 {
		typ = int(parseInt(app.textOf("type")))
	}
	title := cleanText(app.textOf("title"))
	if title == "" {
		title = CleanName(raw.FileName)
	}
	des := cleanText(app.textOf("des"))
	link := cleanURL(app.textOf("url"))
	if link == "" {
		link = cleanURL(raw.Url)
	}

	switch {
	case typ == AppMsgTypeTransfer || raw.FileName == transferFileName:
		return &Transfer{Title: title, Description: des}
	case typ == AppMsgTypeRedPacket:
		return &RedPacket{Title: title}
	case typ == AppMsgTypeText:
		return textContent(title)
	case typ == AppMsgTypeURL || typ == AppMsgTypeAudio || typ == AppMsgTypeVideo || typ == AppMsgTypeOpen:
		return &Link{
			Title:       title,
			Description: des,
			URL:         link,
			ThumbURL:    cleanURL(app.textOf("thumburl")),
			AppName:     firstNonEmpty(cleanText(root.child("appinfo").textOf("appname")), cleanText(app.textOf("sourcedisplayname"))),
		}
	case typ == AppMsgTypeAttach:
		return parseFile(raw, app, title)
	case typ == AppMsgTypeEmoji:
		att := app.child("appattach")
		return &Emoticon{
			MD5:    att.textOf("emoticonmd5"),
			Length: parseInt(att.textOf("totallen")),
			CDNURL: cleanURL(att.textOf("cdnattachurl")),
			Store:  raw.HasProductId == 1,
		}
	case typ == AppMsgTypeMiniProgram || typ == AppMsgTypeMiniProgram2:
		return &MiniProgram{
			Title:   title,
			AppName: firstNonEmpty(cleanText(app.textOf("sourcedisplayname")), cleanText(root.child("appinfo").textOf("appname"))),
			URL:     link,
		}
	case typ == AppMsgTypeRealtimeLocation:
		return &RealtimeLocation{Title: title}
	case typ == AppMsgTypeChatHistory:
		return &ChatHistory{Title: title, Description: des}
	case typ == AppMsgTypeQuote && app.child("refermsg") != nil:
		return parseReferMsg(app.child("refermsg"), title)
	}
	return &AppMessage{AppMsgType: typ, Title: title, Description: des, URL: link}
}

func parseFile(raw *RawMessage, app *xmlNode, title string) *File {
	att := app.child("appattach")
	f := &File{
		Name:          CleanName(raw.FileName),
		Ext:           strings.TrimPrefix(att.textOf("fileext"), "."),
		Size:          parseInt(raw.FileSize),
		MediaID:       raw.MediaId,
		EncryFileName: raw.EncryFileName,
		AttachID:      att.textOf("attachid"),
	}
	if f.Name == "" {
		f.Name = title
	}
	if f.Ext == "" {
		f.Ext = extOf(f.Name)
	}
	if f.Size == 0 {
		f.Size = parseInt(att.textOf("totallen"))
	}
	return f
}

// extOf returns the extension of a file name, without the dot.
func extOf(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || strings.ContainsAny(name[i:], `/\ `) {
		return ""
	}
	return name[i+1:]
}

// parseArticles reads an <mmreader> block anywhere in the payload; it
// returns nil when there is none or it has no items.
func parseArticles(root *xmlNode) *Articles {
	items := root.find("mmreader").child("category").all("item")
	if len(items) == 0 {
		return nil
	}
	a := &Articles{Items: make([]Article, 0, len(items))}
	for _, it := range items {
		art := Article{
			Title:  cleanText(it.textOf("title")),
			URL:    cleanURL(it.textOf("url")),
			Digest: cleanText(it.textOf("digest")),
			Cover:  cleanURL(it.textOf("cover")),
		}
		if ts := parseInt(it.textOf("pub_time")); ts > 0 {
			art.PubTime = time.Unix(ts, 0)
		}
		a.Items = append(a.Items, art)
	}
	return a
}
