package wechat

import (
	"math"
	"net/url"
	"strconv"
	"strings"
)

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

func (*Location) isContent() {}

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
