package wechat

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const (
	imageXML = `<?xml version="1.0"?>
<msg>
	<img aeskey="0a1b2c3d4e5f" encryver="1" cdnthumbaeskey="0a1b2c3d4e5f" cdnthumburl="3057020100044b304902010002040" cdnthumblength="4567" cdnthumbheight="120" cdnthumbwidth="90" cdnmidheight="0" cdnmidwidth="0" cdnhdheight="0" cdnhdwidth="0" cdnmidimgurl="3057020100044b304902010002041" length="123456" cdnbigimgurl="3057020100044b304902010002042" hdlength="234567" md5="5d41402abc4b2a76b9719d911017c592" />
	<platform_signature></platform_signature>
	<imgdatahash></imgdatahash>
</msg>
`
	voiceXML = `<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="3120" length="5024" bufid="0" aeskey="" voiceurl="" voicemd5="" clientmsgid="41353263373231396234373461370031" fromusername="wxid_sender01" /></msg>`
	videoXML = `<?xml version="1.0"?>
<msg>
	<videomsg aeskey="a1b2" cdnvideourl="3057020100044b30" cdnthumbaeskey="a1b2" cdnthumburl="3057020100044b31" length="1234567" playlength="12" cdnthumblength="9876" cdnthumbwidth="224" cdnthumbheight="398" fromusername="wxid_sender01" md5="e4da3b7fbbce2345d7772b0674a318d5" newmd5="1679091c5a880faf6fb5e6087eb1b2dc" isplaceholder="0" rawmd5="" rawlength="0" cdnrawvideourl="" cdnrawvideoaeskey="" overwritenewmsgid="0" originsourcemd5="" isad="0" />
</msg>
`
	emojiXML      = `<msg><emoji fromusername = "wxid_sender01" tousername = "wxid_receiver02" type="2" idbuffer="media:0_0" md5="8f14e45fceea167a5a36dedd4bea2543" len = "45678" productid="" androidmd5="8f14e45fceea167a5a36dedd4bea2543" androidlen="45678" s60v3md5 = "8f14e45fceea167a5a36dedd4bea2543" s60v3len="45678" s60v5md5 = "8f14e45fceea167a5a36dedd4bea2543" s60v5len="45678" cdnurl = "http://emoji.qpic.cn/wx_emoji/abc/0?wx_fmt=gif&amp;m=8f14" designerid = "" thumburl = "" encrypturl = "http://emoji.qpic.cn/wx_emoji/def/0" aeskey= "0a1b" externurl = "" externmd5 = "" width= "240" height= "240" tpurl= "" tpauthkey= "" attachedtext= "" attachedtextcolor= "" lensid= "" emojiattr="" linkid="" desc="" ></emoji>  <gameext type="0" content="0" ></gameext></msg>`
	storeEmojiXML = `<msg><emoji fromusername="wxid_sender01" type="1" md5="c9f0f895fb98ab9159f51fd0297e236d" len="1024" productid="com.tencent.xin.emoticon.person.stiker_1234" cdnurl="" ></emoji></msg>`
)

func TestParseMedia(t *testing.T) {
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "image",
			raw:  RawMessage{MsgType: MsgTypeImage, ImgWidth: 90, ImgHeight: 120, Content: serverEscape(imageXML)},
			want: &Image{Width: 90, Height: 120, Length: 123456, MD5: "5d41402abc4b2a76b9719d911017c592"},
		},
		{
			name: "image size from xml",
			raw:  RawMessage{MsgType: MsgTypeImage, Content: serverEscape(imageXML)},
			want: &Image{Width: 90, Height: 120, Length: 123456, MD5: "5d41402abc4b2a76b9719d911017c592"},
		},
		{
			name: "image with hdlength only",
			raw:  RawMessage{MsgType: MsgTypeImage, Content: serverEscape(`<msg><img hdlength="99" md5="x"/></msg>`)},
			want: &Image{Length: 99, MD5: "x"},
		},
		{
			name: "image with broken xml keeps the image",
			raw:  RawMessage{MsgType: MsgTypeImage, ImgWidth: 10, ImgHeight: 20, Content: "&lt;msg&gt;&lt;img length="},
			want: &Image{Width: 10, Height: 20},
		},
		{
			name: "voice",
			raw:  RawMessage{MsgType: MsgTypeVoice, VoiceLength: 3120, Content: serverEscape(voiceXML)},
			want: &Voice{Duration: 3120 * time.Millisecond, Length: 5024},
		},
		{
			name: "voice duration from xml",
			raw:  RawMessage{MsgType: MsgTypeVoice, Content: serverEscape(voiceXML)},
			want: &Voice{Duration: 3120 * time.Millisecond, Length: 5024},
		},
		{
			name: "voice without xml",
			raw:  RawMessage{MsgType: MsgTypeVoice, VoiceLength: -5},
			want: &Voice{},
		},
		{
			name: "video",
			raw:  RawMessage{MsgType: MsgTypeVideo, PlayLength: 12, ImgWidth: 224, ImgHeight: 398, Content: serverEscape(videoXML)},
			want: &Video{Duration: 12 * time.Second, Length: 1234567, Width: 224, Height: 398},
		},
		{
			name: "short video from xml",
			raw:  RawMessage{MsgType: MsgTypeMicroVideo, Content: serverEscape(videoXML)},
			want: &Video{Duration: 12 * time.Second, Length: 1234567, Width: 224, Height: 398},
		},
		{
			name: "video as web clients get it: an opaque blob",
			raw:  RawMessage{MsgType: MsgTypeVideo, PlayLength: 7, ImgWidth: 160, ImgHeight: 90, Content: videoBlob},
			want: &Video{Duration: 7 * time.Second, Width: 160, Height: 90},
		},
		{
			name: "video with absurd length",
			raw:  RawMessage{MsgType: MsgTypeVideo, Content: `<msg><videomsg playlength="99999999999999999" /></msg>`},
			want: &Video{Duration: math.MaxInt64},
		},
		{
			name: "emoticon with spaced attributes",
			raw:  RawMessage{MsgType: MsgTypeEmoticon, Content: serverEscape(emojiXML)},
			want: &Emoticon{MD5: "8f14e45fceea167a5a36dedd4bea2543", Length: 45678, CDNURL: "http://emoji.qpic.cn/wx_emoji/abc/0?wx_fmt=gif&m=8f14"},
		},
		{
			name: "store emoticon",
			raw:  RawMessage{MsgType: MsgTypeEmoticon, HasProductId: 1, Content: serverEscape(storeEmojiXML)},
			want: &Emoticon{MD5: "c9f0f895fb98ab9159f51fd0297e236d", Length: 1024, Store: true, ProductID: "com.tencent.xin.emoticon.person.stiker_1234"},
		},
		{
			name: "store emoticon by productid",
			raw:  RawMessage{MsgType: MsgTypeEmoticon, Content: serverEscape(storeEmojiXML)},
			want: &Emoticon{MD5: "c9f0f895fb98ab9159f51fd0297e236d", Length: 1024, Store: true, ProductID: "com.tencent.xin.emoticon.person.stiker_1234"},
		},
		{
			name: "emoticon with empty content",
			raw:  RawMessage{MsgType: MsgTypeEmoticon, HasProductId: 1},
			want: &Emoticon{Store: true},
		},
		{
			name: "plain emoticon with empty content",
			raw:  RawMessage{MsgType: MsgTypeEmoticon},
			want: &Emoticon{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

// videoBlob is a video's Content as web clients get it (not XML).
const videoBlob = "@9Z6LIm0QDvlxEM5NJEub4vWANpso6IhorV150bYsaGj3f2qv8vVEzqUibyyaiQPPqSV3LmPFHAWHRX9hD2GA2uqtu5pQ8Z5p-CjemQPLD_-VH2RncZTSa8DiVsTxY32"

func TestParseMediaInGroup(t *testing.T) {
	raw := RawMessage{FromUserName: testGroup, MsgType: MsgTypeImage, Content: groupBody(testMember, serverEscape(imageXML))}
	m := ParseMessage(&raw, testSelf)
	assert.Equal(t, testMember, m.Sender)
	assert.Equal(t, &Image{Width: 90, Height: 120, Length: 123456, MD5: "5d41402abc4b2a76b9719d911017c592"}, m.Content)

	raw = RawMessage{FromUserName: testGroup, MsgType: MsgTypeVideo, PlayLength: 3, Content: groupBody(testMember, videoBlob)}
	m = ParseMessage(&raw, testSelf)
	assert.Equal(t, testMember, m.Sender, "the blob is not taken for a sender")
	assert.Equal(t, &Video{Duration: 3 * time.Second}, m.Content)
}
