package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const locationXML = `<?xml version="1.0"?>
<msg>
	<location x="39.983424" y="116.322987" scale="16" label="北京市海淀区中关村大街1号" maptype="roadmap" poiname="中关村 &amp; 海淀" poiid="nearby_1234" />
</msg>
`

func TestParseLocation(t *testing.T) {
	const snapshot = "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;msgid=7123456789012345678&amp;pictype=location"
	const mapURL = "http://apis.map.qq.com/uri/v1/geocoder?coord=39.983424,116.322987"
	full := &Location{
		Latitude:  39.983424,
		Longitude: 116.322987,
		Scale:     16,
		Label:     "北京市海淀区中关村大街1号",
		POIName:   "中关村 & 海淀",
		URL:       mapURL,
	}
	tests := []struct {
		name string
		raw  RawMessage
		want Content
	}{
		{
			name: "text location with raw OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "中关村:<br/>" + snapshot, OriContent: locationXML, Url: mapURL},
			want: full,
		},
		{
			name: "text location with escaped OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "中关村:<br/>" + snapshot, OriContent: serverEscape(locationXML), Url: mapURL},
			want: full,
		},
		{
			name: "text location without OriContent uses content and url",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "Starbucks &amp; Co:<br/>" + snapshot, Url: mapURL + "&amp;referer=wexinmp_profile"},
			want: &Location{Latitude: 39.983424, Longitude: 116.322987, POIName: "Starbucks & Co", URL: mapURL + "&referer=wexinmp_profile"},
		},
		{
			name: "text location detected by url",
			raw:  RawMessage{MsgType: MsgTypeText, Content: "Cafe:<br/>" + snapshot, Url: mapURL},
			want: &Location{Latitude: 39.983424, Longitude: 116.322987, POIName: "Cafe", URL: mapURL},
		},
		{
			name: "text location with broken OriContent",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "Cafe", OriContent: "&lt;msg&gt;&lt;location"},
			want: &Location{POIName: "Cafe"},
		},
		{
			name: "out of range coordinates dropped",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "X", OriContent: `<msg><location x="123.4" y="NaN" poiname="X"/></msg>`, Url: "http://apis.map.qq.com/uri/v1/geocoder?coord=bad"},
			want: &Location{POIName: "X", URL: "http://apis.map.qq.com/uri/v1/geocoder?coord=bad"},
		},
		{
			name: "unparsable map url",
			raw:  RawMessage{MsgType: MsgTypeText, SubMsgType: SubMsgTypeLocation, Content: "X", Url: "http://apis.map.qq.com/%zz?coord=1,2"},
			want: &Location{POIName: "X", URL: "http://apis.map.qq.com/%zz?coord=1,2"},
		},
		{
			name: "MsgType 48",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(locationXML), Url: mapURL},
			want: full,
		},
		{
			name: "MsgType 48 bare location element",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: `<location x="-33.8568" y="151.2153" scale="15" label="Sydney Opera House" poiname="Opera House"/>`},
			want: &Location{Latitude: -33.8568, Longitude: 151.2153, Scale: 15, Label: "Sydney Opera House", POIName: "Opera House"},
		},
		{
			name: "angle brackets and a line break in a place name are text",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(`<msg><location x="1.5" y="2.5" label="Gate &lt;B&gt;&#10;north" poiname="&lt;script&gt;"/></msg>`)},
			want: &Location{Latitude: 1.5, Longitude: 2.5, Label: "Gate <B> north", POIName: "<script>"},
		},
		{
			name: "MsgType 48 without location element",
			raw:  RawMessage{MsgType: MsgTypeLocation, Content: serverEscape(`<msg><other/></msg>`)},
			want: &Unsupported{MsgType: MsgTypeLocation, Reason: "location XML: no <location> element"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseOne(t, tt.raw))
		})
	}
}

func TestParseLocationInGroup(t *testing.T) {
	raw := RawMessage{
		FromUserName: testGroup,
		MsgType:      MsgTypeText,
		SubMsgType:   SubMsgTypeLocation,
		Content:      groupBody(testMember, "Starbucks:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;pictype=location"),
	}
	m := ParseMessage(&raw, testSelf)
	assert.Equal(t, testMember, m.Sender)
	assert.Equal(t, &Location{POIName: "Starbucks"}, m.Content)
}
