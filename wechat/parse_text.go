package wechat

import (
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Text is a plain text message (MsgType 1), or an app message of
// AppMsgType 1, whose title is shown as text.
type Text struct {
	// Text is the formatted text (see FormatText).
	Text string
	// Mentions are the distinct names mentioned with "@name" (see
	// ParseMentions). The server sends no list of mentioned users.
	Mentions []string
}

// Quote is a quoted reply. Web clients receive it flattened into a text
// message (see parseQuote); the rare app message of AppMsgType 57 that
// reaches web is read from its <refermsg>. Neither carries a usable id of
// the quoted message.
type Quote struct {
	// Name is the display name of the quoted author; empty if unknown.
	Name string
	// Quoted is the quoted text.
	Quoted string
	// Reply is the text of the reply itself.
	Reply string
}

// Location is a shared location: MsgType 1 with SubMsgType 48 (the XML is
// in OriContent, the Content is "<poiname>:<br/><map image path>") or
// MsgType 48 (the XML is in Content).
type Location struct {
	// Latitude and Longitude come from the x and y attributes of
	// <location>: x is the latitude and y the longitude, as wxpy reads them
	// and as efb-wechat-slave hands them on (LocationAttribute(latitude=x,
	// longitude=y)); WeChat's own official-account API documents
	// Location_X as latitude too. When the XML lacks them they are read
	// from the coord=lat,lng parameter of the map URL. Both are 0 when
	// unknown.
	Latitude, Longitude float64
	// Scale is the map zoom level.
	Scale int
	// Label is the address.
	Label string
	// POIName is the name of the place.
	POIName string
	// URL is the map link (the Url field).
	URL string
}

func (*Text) isContent()     {}
func (*Quote) isContent()    {}
func (*Location) isContent() {}

// newsAppUserName is the account that pushes Tencent News articles as
// MsgType 1 with <mmreader> XML.
const newsAppUserName = "newsapp"

// parseText handles MsgType 1 and its special cases: locations, newsapp
// articles and red packets.
func parseText(raw *RawMessage, body string) Content {
	if raw.SubMsgType == SubMsgTypeLocation || isLocationURL(raw.Url, body) {
		return parseTextLocation(raw, body)
	}
	if raw.FromUserName == newsAppUserName && strings.Contains(body, "mmreader") {
		if root, err := decodePayload(body); err == nil {
			if a := parseArticles(root); a != nil {
				return a
			}
		}
	}
	if raw.AppMsgType == AppMsgTypeRedPacket {
		if c, ok := parseAppMessage(raw, body).(*RedPacket); ok {
			return c
		}
		return &RedPacket{Title: FormatText(body)}
	}
	return textContent(FormatText(body))
}

// textContent makes a *Quote of a formatted text in the quote form, and a
// *Text of anything else.
func textContent(text string) Content {
	if q, ok := parseQuote(text); ok {
		return q
	}
	return &Text{Text: text, Mentions: ParseMentions(text)}
}

// isLocationURL is the check openwechat uses when SubMsgType is missing: a
// map link in Url and a location snapshot path in Content.
func isLocationURL(link, body string) bool {
	return strings.Contains(link, "apis.map.qq.com") && strings.Contains(body, "pictype=location")
}

// parseTextLocation reads a MsgType 1 location. The XML in OriContent is
// preferred; a missing or broken one is not fatal, since Content still
// names the place.
func parseTextLocation(raw *RawMessage, body string) Content {
	loc := &Location{URL: cleanURL(raw.Url)}
	if root, err := decodePayload(raw.OriContent); err == nil {
		fillLocation(loc, root.self("location"))
	}
	if loc.POIName == "" {
		desc := body
		if i := strings.LastIndex(body, groupPrefixSep); i >= 0 {
			desc = body[:i]
		}
		loc.POIName = CleanName(desc)
	}
	fillCoordFromURL(loc)
	return loc
}

// parseLocationMessage reads a MsgType 48 location, whose XML is the body.
func parseLocationMessage(raw *RawMessage, body string) Content {
	root, err := decodePayload(body)
	if err != nil {
		return unsupported(raw, "location XML", err)
	}
	el := root.self("location")
	if el == nil {
		return unsupported(raw, "location XML", errNoElement("location"))
	}
	loc := &Location{URL: cleanURL(raw.Url)}
	fillLocation(loc, el)
	fillCoordFromURL(loc)
	return loc
}

func fillLocation(loc *Location, el *xmlNode) {
	if el == nil {
		return
	}
	lat, latOK := parseCoord(el.attr("x"), 90)
	lng, lngOK := parseCoord(el.attr("y"), 180)
	if latOK && lngOK {
		loc.Latitude, loc.Longitude = lat, lng
	}
	loc.Scale = int(parseInt(el.attr("scale")))
	// Place names are plain text once the XML is decoded: no emoji spans
	// to convert, and a "<" in an address is a character, not markup.
	loc.Label = plainLine(el.attr("label"))
	loc.POIName = plainLine(el.attr("poiname"))
}

// fillCoordFromURL reads coord=lat,lng from the map link when the XML gave
// no coordinates.
func fillCoordFromURL(loc *Location) {
	if loc.Latitude != 0 || loc.Longitude != 0 || !strings.Contains(loc.URL, "coord=") {
		return
	}
	u, err := url.Parse(loc.URL)
	if err != nil {
		return
	}
	latStr, lngStr, ok := strings.Cut(u.Query().Get("coord"), ",")
	if !ok {
		return
	}
	lat, latOK := parseCoord(latStr, 90)
	lng, lngOK := parseCoord(lngStr, 180)
	if latOK && lngOK {
		loc.Latitude, loc.Longitude = lat, lng
	}
}

// parseCoord parses a finite coordinate within ±limit.
func parseCoord(s string, limit float64) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.Abs(v) > limit {
		return 0, false
	}
	return v, true
}
