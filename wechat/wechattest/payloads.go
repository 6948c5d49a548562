package wechattest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"html"
	"path"
	"strconv"
	"strings"
)

// attr escapes a value for an XML attribute or text node.
func attr(s string) string { return html.EscapeString(s) }

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// defaultBodyLocked builds the escaped Content of an injected message that
// has no XML or RawContent, following the payloads the real server sends.
func (s *Server) defaultBodyLocked(sm *storedMsg) string {
	from := s.acct.entry(sm.sender())
	switch sm.Type {
	case msgText:
		if sm.SubMsgType == subMsgLocation {
			return escapeText(sm.Text) + ":<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=" +
				strconv.FormatInt(sm.id, 10) + "&pictype=location"
		}
	case msgImage:
		return escapeXML(imageXML(sm))
	case msgVoice:
		return escapeXML(fmt.Sprintf(`<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="%d" length="%d" bufid="0" clientmsgid="%s" fromusername="%s" /></msg>`,
			sm.VoiceLength, len(sm.Media), randomHex(32), attr(from.rawID)))
	case msgVideo, msgMicroVideo:
		// Not XML: the web client gets an opaque blob and learns the
		// video's length and poster size from PlayLength, ImgWidth and
		// ImgHeight (a test that needs the XML form passes Message.XML).
		return videoBlob()
	case msgEmoticon:
		return escapeXML(emojiXML(sm, from.rawID, s.acct.entry(sm.Chat).rawID, md5Hex(sm.Media)))
	case msgApp:
		return escapeXML(appXML(sm, from.rawID))
	case msgVerify:
		return escapeXML(friendRequestXML(sm, s.acct.contacts[sm.strangerID]))
	case msgShareCard:
		return escapeXML(cardXML(s.acct.contacts[sm.strangerID]))
	}
	return escapeText(sm.Text)
}

// videoBlob is the Content of a video message as web clients get it: an
// opaque "@…" token, not the <videomsg> XML other clients get.
func videoBlob() string { return "@" + randomFrom(urlSafeAlphabet, 344) }

func imageXML(sm *storedMsg) string {
	return fmt.Sprintf("<?xml version=\"1.0\"?>\n<msg>\n\t<img aeskey=\"%s\" encryver=\"1\" cdnthumbaeskey=\"%s\" cdnthumburl=\"%s\" cdnthumblength=\"%d\" cdnthumbheight=\"%d\" cdnthumbwidth=\"%d\" cdnmidheight=\"0\" cdnmidwidth=\"0\" cdnhdheight=\"0\" cdnhdwidth=\"0\" cdnmidimgurl=\"%s\" length=\"%d\" md5=\"%s\" />\n</msg>\n",
		randomHex(32), randomHex(32), randomHex(180), len(sm.Thumb), min(sm.ImgHeight, 120), min(sm.ImgWidth, 120),
		randomHex(180), len(sm.Media), md5Hex(sm.Media))
}

func emojiXML(sm *storedMsg, fromRaw, toRaw, sum string) string {
	product := ""
	if sm.HasProductId != 0 {
		product = "com.tencent.xin.emoticon.person.stiker_" + randomHex(16)
	}
	n := len(sm.Media)
	return fmt.Sprintf(`<msg><emoji fromusername="%s" tousername="%s" type="2" idbuffer="media:0_0" md5="%s" len="%d" productid="%s" androidmd5="%s" androidlen="%d" s60v3md5="%s" s60v3len="%d" s60v5md5="%s" s60v5len="%d" cdnurl="http://emoji.qpic.cn/wx_emoji/%s/" designerid="" thumburl="" encrypturl="" aeskey="" externurl="" externmd5="" width="%d" height="%d"></emoji><gameext type="0" content="0"></gameext></msg>`,
		attr(fromRaw), attr(toRaw), sum, n, product, sum, n, sum, n, sum, n, randomHex(60), sm.ImgWidth, sm.ImgHeight)
}

// appXML builds an app message: a file (6), a link (5) or another kind
// with FileName as title and Text as description.
func appXML(sm *storedMsg, fromRaw string) string {
	t := sm.AppMsgType
	if t == 0 {
		t = appMsgURL
	}
	attach := "<appattach><totallen>0</totallen><attachid></attachid><emoticonmd5></emoticonmd5><fileext></fileext></appattach>"
	if t == appMsgAttach {
		attach = fmt.Sprintf("<appattach><totallen>%d</totallen><attachid>@cdn_%s_1</attachid><emoticonmd5></emoticonmd5><fileext>%s</fileext><cdnattachurl>%s</cdnattachurl><aeskey>%s</aeskey><encryver>1</encryver></appattach>",
			len(sm.Media), randomHex(64), attr(strings.TrimPrefix(path.Ext(sm.FileName), ".")), randomHex(120), randomHex(32))
	}
	return fmt.Sprintf(`<msg><appmsg appid="" sdkver="0"><title>%s</title><des>%s</des><action></action><type>%d</type><showtype>0</showtype><content></content><url>%s</url><lowurl></lowurl><dataurl></dataurl><lowdataurl></lowdataurl>%s<extinfo></extinfo><sourceusername></sourceusername><sourcedisplayname></sourcedisplayname><thumburl></thumburl><md5>%s</md5></appmsg><fromusername>%s</fromusername><scene>0</scene><appinfo><version>1</version><appname></appname></appinfo><commenturl></commenturl></msg>`,
		attr(sm.FileName), attr(sm.Text), t, attr(sm.Url), attach, md5Hex(sm.Media), attr(fromRaw))
}

func friendRequestXML(sm *storedMsg, e *contactEntry) string {
	ri := sm.RecommendInfo
	return fmt.Sprintf(`<msg fromusername="%s" encryptusername="v1_%s@stranger" fromnickname="%s" content="%s" fullpy="" shortpy="" imagestatus="3" scene="%d" country="CN" province="%s" city="%s" sign="%s" percard="1" sex="%d" alias="%s" weibo="" albumflag="0" albumstyle="0" albumbgimgid="" snsflag="1" snsbgimgid="" snsbgobjectid="0" mhash="" mfullhash="" bigheadimgurl="" smallheadimgurl="" ticket="%s" opcode="2" googlecontact="" qrticket="" chatroomusername="" sourceusername="" sourcenickname="" sharecardusername="" sharecardnickname="" cardversion=""><brandlist count="0" ver="0"></brandlist></msg>`,
		attr(e.rawID), randomHex(64), attr(e.NickName), attr(ri.Content), ri.Scene, attr(e.Province), attr(e.City),
		attr(e.Signature), e.Sex, attr(e.Alias), attr(sm.ticket))
}

func cardXML(e *contactEntry) string {
	return fmt.Sprintf("<?xml version=\"1.0\"?>\n<msg bigheadimgurl=\"\" smallheadimgurl=\"\" username=\"%s\" nickname=\"%s\" fullpy=\"\" shortpy=\"\" alias=\"%s\" imagestatus=\"3\" scene=\"17\" province=\"%s\" city=\"%s\" sign=\"%s\" sex=\"%d\" certflag=\"0\" certinfo=\"\" brandIconUrl=\"\" brandHomeUrl=\"\" brandSubscriptConfigUrl=\"\" brandFlags=\"0\" regionCode=\"CN\" />\n",
		attr(e.rawID), attr(e.NickName), attr(e.Alias), attr(e.Province), attr(e.City), attr(e.Signature), e.Sex)
}

func recallXML(chatRaw string, msgID int64, who string) string {
	return fmt.Sprintf(`<sysmsg type="revokemsg"><revokemsg><session>%s</session><oldmsgid>%d</oldmsgid><msgid>%d</msgid><replacemsg><![CDATA[%s]]></replacemsg></revokemsg></sysmsg>`,
		attr(chatRaw), 1_000_000_000+msgID%1_000_000_000, msgID, who)
}
