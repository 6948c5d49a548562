package wechattest

import "fmt"

// InjectText injects a text message. from "" means the chat itself (a
// DM), SelfID a message sent from the phone, else a group member.
func (s *Server) InjectText(chat, from, text string) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgText, Text: text})
}

// InjectImage injects an image; webwxgetmsgimg serves data (and a
// thumbnail with type=slave).
func (s *Server) InjectImage(chat, from string, data []byte) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgImage, Media: data, Thumb: thumbnail(data)})
}

// InjectFile injects a file (app message type 6); webwxgetmedia serves data.
func (s *Server) InjectFile(chat, from, name string, data []byte) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgApp, AppMsgType: appMsgAttach, FileName: name, Media: data})
}

// InjectVoice injects a voice message of ms milliseconds; webwxgetvoice
// serves mp3.
func (s *Server) InjectVoice(chat, from string, mp3 []byte, ms int) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgVoice, Media: mp3, VoiceLength: ms})
}

// InjectVideo injects a video of the given seconds; webwxgetvideo serves
// mp4 and webwxgetmsgimg&type=slave the poster (thumb).
func (s *Server) InjectVideo(chat, from string, mp4, thumb []byte, seconds int) int64 {
	if thumb == nil {
		thumb = plainJPEG(mp4, 160, 90)
	}
	return s.Inject(Message{Chat: chat, From: from, Type: msgVideo, Media: mp4, Thumb: thumb, PlayLength: seconds})
}

// InjectEmoticon injects a sticker; webwxgetmsgimg&type=big serves data.
func (s *Server) InjectEmoticon(chat, from string, data []byte) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgEmoticon, Media: data})
}

// InjectLink injects a shared link (app message type 5).
func (s *Server) InjectLink(chat, from, title, desc, link string) int64 {
	return s.Inject(Message{Chat: chat, From: from, Type: msgApp, AppMsgType: appMsgURL, FileName: title, Text: desc, Url: link})
}

// InjectLocation injects a location: a text message with SubMsgType 48,
// the label as Content and the coordinates in OriContent.
func (s *Server) InjectLocation(chat, from, label string, lat, lng float64) int64 {
	ori := fmt.Sprintf(`<?xml version="1.0"?>
<msg>
	<location x="%.6f" y="%.6f" scale="16" label="%s" maptype="0" poiname="%s" poiid="" />
</msg>
`, lat, lng, attr(label), attr(label))
	return s.Inject(Message{
		Chat: chat, From: from, Type: msgText, SubMsgType: subMsgLocation, Text: label,
		Url: fmt.Sprintf("https://apis.map.qq.com/uri/v1/geocoder?coord=%.6f,%.6f", lat, lng), OriContent: ori,
	})
}

// InjectSystem injects a system message (10000) into a chat.
func (s *Server) InjectSystem(chat, text string) int64 {
	return s.Inject(Message{Chat: chat, Type: msgSys, Text: text})
}

// InjectRecall injects the notice (10002) that from recalled msgID in chat.
// from SelfID means the user recalled it on the phone.
func (s *Server) InjectRecall(chat, from string, msgID int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := "你撤回了一条消息"
	if from != SelfID {
		sender := from
		if sender == "" {
			sender = chat
		}
		who = "\"" + s.acct.entry(sender).NickName + "\" 撤回了一条消息"
	}
	return s.injectLocked(Message{
		Chat: chat, From: from, Type: msgRecalled,
		XML: recallXML(s.acct.entry(chat).rawID, msgID, who),
	}).id
}

// InjectFriendRequest injects a friend request (37, from fmessage) by a new
// stranger. It returns the stranger's seed id and the message id.
func (s *Server) InjectFriendRequest(nick, greeting string) (strangerID string, msgID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm := s.injectLocked(Message{
		Type: msgVerify,
		RecommendInfo: &RecommendInfo{
			NickName: nick, Content: greeting, Scene: 30, Sex: 2, Province: "Guangdong", City: "Shenzhen", OpCode: 2,
		},
	})
	s.noteLocked("friend-request", "Friend request from "+nick+": "+greeting)
	return sm.strangerID, sm.id
}

// InjectStatusNotify injects a status notify (51) from the phone: code 2
// (entered chat), 4 (conversation list: ids) or 5 (left chat).
func (s *Server) InjectStatusNotify(code int, chat string, ids ...string) int64 {
	return s.Inject(Message{Chat: chat, Type: msgStatusNotify, StatusNotifyCode: code, StatusNotifyIDs: ids})
}
