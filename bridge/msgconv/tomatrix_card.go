package msgconv

import (
	"html"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// Bounds on what one field, and one event, may hold. They are in bytes, cut
// at rune boundaries. Real values are far smaller: a hostile field of
// megabytes must not become a huge event, and one long field must not push
// the others out of the body.
const (
	// maxNameBytes bounds names: app names, nicknames, aliases, regions.
	maxNameBytes = 256
	// maxTitleBytes bounds titles and place names.
	maxTitleBytes = 1024
	// maxTextBytes bounds descriptions, digests, addresses, quoted text and
	// system texts.
	maxTextBytes = 4096
	// maxURLBytes bounds links; a longer one is shown clipped, not linked.
	maxURLBytes = 2048
	// maxArticles is how many articles of a push are listed; official
	// accounts push at most eight.
	maxArticles = 10
	// maxBodyBytes bounds a whole body. A longer one is clipped and its
	// HTML dropped.
	maxBodyBytes = 16 << 10
	// maxHTMLBytes bounds a whole HTML body. A longer one is dropped:
	// Body alone is always readable.
	maxHTMLBytes = 32 << 10
)

// defaultZoom is the OpenStreetMap zoom level used when the location's
// scale is not a usable zoom level.
const defaultZoom = 16

// ContentToMatrix converts a WeChat message of a kind that is neither text nor
// media nor a recall/status notify into Matrix content. It returns nil for
// kinds it does not handle (*wechat.Text, *wechat.Quote, *wechat.Image,
// *wechat.Emoticon, *wechat.Voice, *wechat.Video, *wechat.File, *wechat.Recall,
// *wechat.StatusNotify, *wechat.SysNotice, *wechat.FriendRequest).
//
// It also returns nil for a nil content (or nil pointer) and for a
// *wechat.System without text, which has nothing to show.
//
// Every result is readable from Body alone; FormattedBody, when set, is HTML
// in which all text from WeChat is escaped and only http and https links
// are links. Mentions is always set and empty, so that clients do not match
// names in the body. Over-long fields are clipped with "…" (a few
// kilobytes per field, 16 KiB per body), so that no hostile field makes a
// huge event.
func ContentToMatrix(c wechat.Content) *event.MessageEventContent {
	switch c := c.(type) {
	case *wechat.Location:
		return convert(c, locationToMatrix)
	case *wechat.Link:
		return convert(c, linkToMatrix)
	case *wechat.Articles:
		return convert(c, articlesToMatrix)
	case *wechat.MiniProgram:
		return convert(c, miniProgramToMatrix)
	case *wechat.Transfer:
		return convert(c, transferToMatrix)
	case *wechat.RedPacket:
		return convert(c, redPacketToMatrix)
	case *wechat.RealtimeLocation:
		return convert(c, realtimeLocationToMatrix)
	case *wechat.ChatHistory:
		return convert(c, chatHistoryToMatrix)
	case *wechat.AppMessage:
		return convert(c, appMessageToMatrix)
	case *wechat.Card:
		return convert(c, cardToMatrix)
	case *wechat.PossibleFriend:
		return convert(c, possibleFriendToMatrix)
	case *wechat.Call:
		return convert(c, callToMatrix)
	case *wechat.System:
		return convert(c, systemToMatrix)
	case *wechat.Unsupported:
		return convert(c, unsupportedToMatrix)
	}
	return nil
}

// convert calls f on v unless v is nil.
func convert[T any](v *T, f func(*T) *event.MessageEventContent) *event.MessageEventContent {
	if v == nil {
		return nil
	}
	return f(v)
}

// locationToMatrix makes an m.location with a geo URI and an OpenStreetMap
// link, like mautrix-whatsapp. Without usable coordinates it falls back to
// placeToMatrix.
func locationToMatrix(l *wechat.Location) *event.MessageEventContent {
	name := clip(l.POIName, maxTitleBytes)
	address := clip(l.Label, maxTextBytes)
	if name == "" || name == address {
		name, address = address, ""
	}
	if !knownCoords(l.Latitude, l.Longitude) {
		return placeToMatrix(name, address, l.URL)
	}
	lat, lng := formatCoord(l.Latitude), formatCoord(l.Longitude)
	if name == "" {
		name = lat + ", " + lng
	}
	zoom := defaultZoom
	if l.Scale >= 1 && l.Scale <= 19 {
		zoom = l.Scale
	}
	osm := "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lng +
		"#map=" + strconv.Itoa(zoom) + "/" + lat + "/" + lng

	var r richText
	r.text("Location: ")
	r.link(name, osm)
	r.line(address)
	r.bodyLine(osm)
	c := r.content(event.MsgLocation)
	c.GeoURI = "geo:" + lat + "," + lng
	return c
}

// knownCoords reports whether a latitude and longitude are usable: finite,
// in range, and not 0,0, which WeChat leaves when it does not know.
func knownCoords(lat, lng float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lng) || math.Abs(lat) > 90 || math.Abs(lng) > 180 {
		return false
	}
	return lat != 0 || lng != 0
}

// formatCoord formats a coordinate in the shortest exact decimal form.
func formatCoord(v float64) string {
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// placeToMatrix shows a location without coordinates as text: its name,
// its address and the map link WeChat sent, if any.
func placeToMatrix(name, address, mapURL string) *event.MessageEventContent {
	if name == "" {
		return notice("Shared a location that arrived without coordinates; see it on your phone.")
	}
	var r richText
	r.text("Location: " + name)
	r.line(address)
	r.urlLine(mapURL)
	return r.content(event.MsgText)
}

// linkToMatrix shows a link card: the title (bold in HTML), the
// description, the URL and the app that shared it.
func linkToMatrix(l *wechat.Link) *event.MessageEventContent {
	r, ok := card(l.Title, l.Description, l.URL)
	if !ok {
		return notice("Shared a link card with nothing in it; see it on your phone.")
	}
	if app := clip(l.AppName, maxNameBytes); app != "" {
		r.line("via " + app)
	}
	return r.content(event.MsgText)
}

// card writes a title, a description and a URL on lines of their own,
// leaving out the empty ones. ok is false when all are empty.
func card(title, description, link string) (r *richText, ok bool) {
	title = clip(title, maxTitleBytes)
	description = clip(description, maxTextBytes)
	r = &richText{}
	if title != "" {
		r.bold(title)
	}
	r.line(description)
	r.urlLine(link)
	return r, r.body.Len() > 0
}

// articlesToMatrix lists the articles of a push: each title linked to its
// article, the digest below it. A single article is shown as a link card.
func articlesToMatrix(a *wechat.Articles) *event.MessageEventContent {
	items := make([]wechat.Article, 0, min(len(a.Items), maxArticles+1))
	more := 0
	for _, it := range a.Items {
		if isBlank(it.Title) && isBlank(it.Digest) && isBlank(it.URL) {
			continue
		}
		if len(items) == maxArticles {
			more++
			continue
		}
		items = append(items, it)
	}
	switch len(items) {
	case 0:
		return notice("An article push with no articles arrived; see it on your phone.")
	case 1:
		return linkToMatrix(&wechat.Link{Title: items[0].Title, Description: items[0].Digest, URL: items[0].URL})
	}
	var r richText
	for i, it := range items {
		if i > 0 {
			r.newline()
			r.newline()
		}
		writeArticle(&r, it)
	}
	if more > 0 {
		r.newline()
		r.newline()
		r.text("…and " + strconv.Itoa(more) + " more")
	}
	return r.content(event.MsgText)
}

// writeArticle writes one article of a list: its title (else its URL),
// bold and linked to the article in HTML, its digest, and in the body the
// URL.
func writeArticle(r *richText, it wechat.Article) {
	link := clip(it.URL, maxURLBytes)
	href := webURL(it.URL)
	label := clip(it.Title, maxTitleBytes)
	if label == "" {
		label = link
	}
	if label == "" {
		label = "(untitled)"
	}
	r.boldLink(label, href)
	r.line(clip(it.Digest, maxTextBytes))
	switch {
	case link == "" || link == label:
	case href != "":
		r.bodyLine(link)
	default:
		r.line(link)
	}
}

func miniProgramToMatrix(m *wechat.MiniProgram) *event.MessageEventContent {
	title := clip(m.Title, maxTitleBytes)
	app := clip(m.AppName, maxNameBytes)
	var what string
	switch {
	case app != "" && title != "":
		what = "Shared the mini program " + app + ": " + title
	case app != "":
		what = "Shared the mini program " + app
	case title != "":
		what = "Shared a mini program: " + title
	default:
		what = "Shared a mini program"
	}
	return notice(what + " (mini programs open only in WeChat on the phone)")
}

func transferToMatrix(t *wechat.Transfer) *event.MessageEventContent {
	body := "Money transfer"
	if title := clip(t.Title, maxTitleBytes); title != "" {
		body += ": " + title
	}
	if desc := clip(t.Description, maxTextBytes); desc != "" {
		body += "\n" + desc
	}
	return notice(body + "\nCheck WeChat on your phone to see or accept it.")
}

func redPacketToMatrix(p *wechat.RedPacket) *event.MessageEventContent {
	if title := clip(p.Title, maxTitleBytes); title != "" {
		return notice("Sent a red packet (" + title + "); open it on your phone.")
	}
	return notice("Sent a red packet; open it on your phone.")
}

func realtimeLocationToMatrix(l *wechat.RealtimeLocation) *event.MessageEventContent {
	body := "Started sharing live location"
	if title := clip(l.Title, maxTitleBytes); title != "" {
		body += ": " + title
	}
	return notice(body + "\nLive locations can only be seen in WeChat on the phone.")
}

// chatHistoryToMatrix shows a forwarded chat history: its title and the
// summary WeChat sends in its place.
func chatHistoryToMatrix(h *wechat.ChatHistory) *event.MessageEventContent {
	var r richText
	r.text("Chat history")
	if title := clip(h.Title, maxTitleBytes); title != "" {
		r.text(": ")
		r.bold(title)
	}
	r.line(clip(h.Description, maxTextBytes))
	r.line("(Only this summary reaches the bridge; open it on your phone for every message.)")
	return r.content(event.MsgText)
}

func appMessageToMatrix(a *wechat.AppMessage) *event.MessageEventContent {
	if r, ok := card(a.Title, a.Description, a.URL); ok {
		return r.content(event.MsgText)
	}
	return notice("An unsupported app message (type " + strconv.Itoa(a.AppMsgType) + ") arrived; see it on your phone.")
}

func cardToMatrix(c *wechat.Card) *event.MessageEventContent {
	name := clip(c.NickName, maxNameBytes)
	alias := clip(c.Alias, maxNameBytes)
	if name == "" {
		name, alias = alias, ""
	}
	body := "Shared a contact card"
	if name != "" {
		body += ": " + name
	}
	if c.IsOfficial {
		body += " (official account)"
	}
	if alias != "" && alias != name {
		body += "\nWeChat ID: " + alias
	}
	if region := joinNonEmpty(", ", clip(c.Province, maxNameBytes), clip(c.City, maxNameBytes)); region != "" {
		body += "\nRegion: " + region
	}
	return notice(body)
}

func possibleFriendToMatrix(p *wechat.PossibleFriend) *event.MessageEventContent {
	if name := clip(p.NickName, maxNameBytes); name != "" {
		return notice("WeChat recommends adding " + name + " as a friend; see it on your phone.")
	}
	return notice("WeChat recommends adding a friend; see it on your phone.")
}

func callToMatrix(c *wechat.Call) *event.MessageEventContent {
	switch c.Kind {
	case wechat.CallInvite:
		return notice("Started a call; WeChat calls can only be answered on the phone.")
	case wechat.CallMissed:
		return notice("Missed call; WeChat calls can only be answered on the phone.")
	case wechat.CallEnded:
		return notice("The call ended.")
	}
	return notice("Call activity; WeChat calls can only be answered on the phone.")
}

func systemToMatrix(s *wechat.System) *event.MessageEventContent {
	text := clip(s.Text, maxTextBytes)
	if text == "" {
		return nil
	}
	return notice(text)
}

// unsupportedToMatrix names the types but never the Reason, which may
// quote the payload.
func unsupportedToMatrix(u *wechat.Unsupported) *event.MessageEventContent {
	what := "This kind of WeChat message"
	if u.MsgType != 0 {
		what += " (type " + strconv.Itoa(u.MsgType)
		if u.AppMsgType != 0 {
			what += ", app type " + strconv.Itoa(u.AppMsgType)
		}
		what += ")"
	}
	return notice(what + " cannot be shown here; see it on your phone.")
}

// notice makes an m.notice with a plain body.
func notice(body string) *event.MessageEventContent {
	return finish(&event.MessageEventContent{
		MsgType:  event.MsgNotice,
		Body:     body,
		Mentions: &event.Mentions{},
	})
}

// finish bounds the size of an event. A body over maxBodyBytes is clipped
// and the HTML dropped, since it would no longer match; HTML over
// maxHTMLBytes is dropped too.
func finish(c *event.MessageEventContent) *event.MessageEventContent {
	if len(c.Body) > maxBodyBytes {
		c.Body = clip(c.Body, maxBodyBytes)
		c.FormattedBody = ""
	}
	if len(c.FormattedBody) > maxHTMLBytes {
		c.FormattedBody = ""
	}
	if c.FormattedBody == "" {
		c.Format = ""
	}
	return c
}

// richText builds a plain body and its HTML twin side by side. Everything
// written as text is escaped in the HTML.
type richText struct {
	body, html strings.Builder
	// marked is true once the HTML holds more than escaped text and line
	// breaks; otherwise the content gets no HTML body.
	marked bool
}

// text writes s.
func (r *richText) text(s string) {
	r.body.WriteString(s)
	_, _ = htmlText.WriteString(&r.html, s)
}

// bold writes s, bold in HTML.
func (r *richText) bold(s string) {
	r.body.WriteString(s)
	r.html.WriteString("<b>")
	_, _ = htmlText.WriteString(&r.html, s)
	r.html.WriteString("</b>")
	r.marked = true
}

// link writes label, linked to href in HTML. href must come from
// webURL or be a URL we built; an empty one writes plain text.
func (r *richText) link(label, href string) {
	if href == "" {
		r.text(label)
		return
	}
	r.body.WriteString(label)
	writeAnchor(&r.html, label, href)
	r.marked = true
}

// boldLink writes label, bold and linked to href in HTML.
func (r *richText) boldLink(label, href string) {
	if href == "" {
		r.bold(label)
		return
	}
	r.body.WriteString(label)
	r.html.WriteString("<b>")
	writeAnchor(&r.html, label, href)
	r.html.WriteString("</b>")
	r.marked = true
}

func writeAnchor(out *strings.Builder, label, href string) {
	out.WriteString(`<a href="`)
	out.WriteString(html.EscapeString(href))
	out.WriteString(`">`)
	_, _ = htmlText.WriteString(out, label)
	out.WriteString("</a>")
}

// newline starts a new line.
func (r *richText) newline() {
	r.body.WriteByte('\n')
	r.html.WriteString("<br>")
}

// line writes s on a line of its own; an empty s writes nothing.
func (r *richText) line(s string) {
	if s == "" {
		return
	}
	if r.body.Len() > 0 {
		r.newline()
	}
	r.text(s)
}

// urlLine writes a URL on a line of its own, as a link in HTML when it is
// an http or https URL; an empty one writes nothing.
func (r *richText) urlLine(raw string) {
	shown := clip(raw, maxURLBytes)
	if shown == "" {
		return
	}
	if r.body.Len() > 0 {
		r.newline()
	}
	r.link(shown, webURL(raw))
}

// bodyLine writes s on a line of its own in the body only, for a URL that
// the HTML already links.
func (r *richText) bodyLine(s string) {
	if r.body.Len() > 0 {
		r.body.WriteByte('\n')
	}
	r.body.WriteString(s)
}

// content makes the event content, with an HTML body only when there is
// markup.
func (r *richText) content(msgType event.MessageType) *event.MessageEventContent {
	c := &event.MessageEventContent{
		MsgType:  msgType,
		Body:     r.body.String(),
		Mentions: &event.Mentions{},
	}
	if r.marked {
		c.Format = event.FormatHTML
		c.FormattedBody = r.html.String()
	}
	return finish(c)
}

// webURL returns the trimmed URL if it is an absolute http or https URL
// with a host, at most maxURLBytes long and valid UTF-8, and "" otherwise.
// Only such URLs become links: javascript:, weixin:// and the like stay
// text.
func webURL(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > maxURLBytes || !utf8.ValidString(s) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return ""
	}
	return s
}

// clip trims surrounding space from s, replaces invalid UTF-8 with U+FFFD
// and cuts it to at most max bytes, at a rune boundary, followed by "…"
// when it was cut.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	cut := len(s) > max
	if cut {
		end := max
		for i := 0; i < utf8.UTFMax-1 && end > 0 && !utf8.RuneStart(s[end]); i++ {
			end--
		}
		s = strings.TrimRightFunc(s[:end], unicode.IsSpace)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if cut {
		s += "…"
	}
	return s
}

// isBlank reports whether s is empty or only white space.
func isBlank(s string) bool {
	return strings.TrimSpace(s) == ""
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}
