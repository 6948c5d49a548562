package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// mediaTimeout bounds one media transfer, body included.
const mediaTimeout = 10 * time.Minute

// Download is a media body being streamed. Reading past the size limit
// fails with ErrTooLarge. Close it.
type Download struct {
	io.ReadCloser
	ContentType string
	// Length is the announced size, or -1.
	Length int64
}

// ImageSize picks the variant webwxgetmsgimg serves.
type ImageSize string

const (
	// ImageOriginal is the full image.
	ImageOriginal ImageSize = ""
	// ImageThumb is the thumbnail (also a video's poster).
	ImageThumb ImageSize = "slave"
	// ImageBig is the variant for stickers.
	ImageBig ImageSize = "big"
)

// DownloadImage fetches the image of an image, sticker or video message.
func (c *Client) DownloadImage(ctx context.Context, msgID string, size ImageSize) (*Download, error) {
	v := c.view()
	q := url.Values{"MsgID": {msgID}, "skey": {v.base.Skey}}
	if size != ImageOriginal {
		q.Set("type", string(size))
	}
	return c.download(ctx, "webwxgetmsgimg", c.t.route.api(v.hosts.Web, "webwxgetmsgimg", q), nil)
}

// DownloadVoice fetches a voice message as MP3.
func (c *Client) DownloadVoice(ctx context.Context, msgID string) (*Download, error) {
	v := c.view()
	q := url.Values{"msgid": {msgID}, "skey": {v.base.Skey}}
	return c.download(ctx, "webwxgetvoice", c.t.route.api(v.hosts.Web, "webwxgetvoice", q), nil)
}

// DownloadVideo fetches a video message (the server insists on a Range).
func (c *Client) DownloadVideo(ctx context.Context, msgID string) (*Download, error) {
	v := c.view()
	q := url.Values{"msgid": {msgID}, "skey": {v.base.Skey}}
	header := http.Header{"Range": {"bytes=0-"}}
	return c.download(ctx, "webwxgetvideo", c.t.route.api(v.hosts.Web, "webwxgetvideo", q), header)
}

// DownloadFile fetches the attachment of a file message from the file host.
func (c *Client) DownloadFile(ctx context.Context, sender, mediaID, encryFileName string) (*Download, error) {
	v := c.view()
	q := url.Values{
		"sender":        {sender},
		"mediaid":       {mediaID},
		"encryfilename": {encryFileName},
		"fromuser":      {strconv.FormatInt(v.base.Uin, 10)},
	}
	probe := c.t.route.api(v.hosts.File, "webwxgetmedia", nil)
	ticket := c.t.jar.Value(hostOf(probe), "webwx_data_ticket")
	if ticket == "" {
		return nil, fmt.Errorf("%w: the session has no webwx_data_ticket cookie for files", ErrNotLoggedIn)
	}
	q.Set("webwx_data_ticket", ticket)
	header := http.Header{"Referer": {"https://" + v.hosts.Web + "/"}}
	return c.download(ctx, "webwxgetmedia", withPassTicket(c.t.route.api(v.hosts.File, "webwxgetmedia", q), v.passTicket), header)
}

// DownloadAvatar fetches a user's avatar. For a group member who is not a
// friend, encryChatRoomID is the group's EncryChatRoomId (not its
// UserName, which webwxgeticon does not take); else "". The URL is the
// one the web client builds for such a member:
// webwxgeticon?seq=0&username=…&skey=…&chatroomid=… (protocol reference
// §3.5, §6).
func (c *Client) DownloadAvatar(ctx context.Context, userName, encryChatRoomID string) (*Download, error) {
	v := c.view()
	query := "seq=0&username=" + url.QueryEscape(userName) + "&skey=" + url.QueryEscape(v.base.Skey)
	if encryChatRoomID != "" {
		query += "&chatroomid=" + url.QueryEscape(encryChatRoomID)
	}
	return c.downloadAvatar(ctx, "webwxgeticon", c.t.route.api(v.hosts.Web, "webwxgeticon", nil)+"?"+query)
}

// DownloadGroupAvatar fetches a group's avatar.
func (c *Client) DownloadGroupAvatar(ctx context.Context, groupUserName string) (*Download, error) {
	v := c.view()
	q := url.Values{"seq": {"0"}, "username": {groupUserName}, "skey": {v.base.Skey}}
	return c.downloadAvatar(ctx, "webwxgetheadimg", c.t.route.api(v.hosts.Web, "webwxgetheadimg", q))
}

// DownloadHeadImg fetches the relative HeadImgUrl of a contact record. The
// URL carries the skey of when the record was sent; the current one
// replaces it, or the server refuses the request after an skey rotation.
func (c *Client) DownloadHeadImg(ctx context.Context, headImgURL string) (*Download, error) {
	if !strings.HasPrefix(headImgURL, "/") {
		return nil, fmt.Errorf("%w: avatar URL is not a server path", ErrUnexpectedResponse)
	}
	v := c.view()
	if u, err := url.Parse(headImgURL); err == nil && u.Query().Has("skey") {
		u.RawQuery = replaceSkey(u.RawQuery, v.base.Skey)
		headImgURL = u.String()
	}
	target, err := c.t.route.absolute(v.hosts.Web, headImgURL)
	if err != nil {
		return nil, err
	}
	endpoint := "webwxgeticon"
	if strings.Contains(headImgURL, "webwxgetheadimg") {
		endpoint = "webwxgetheadimg"
	}
	return c.downloadAvatar(ctx, endpoint, target)
}

// replaceSkey puts skey into a raw query in place of the skey it has,
// keeping everything else as the server wrote it, in its order.
func replaceSkey(rawQuery, skey string) string {
	params := strings.Split(rawQuery, "&")
	for i, p := range params {
		if name, _, _ := strings.Cut(p, "="); name == "skey" {
			params[i] = "skey=" + url.QueryEscape(skey)
		}
	}
	return strings.Join(params, "&")
}

// downloadAvatar retries empty answers, which the server sometimes gives.
func (c *Client) downloadAvatar(ctx context.Context, endpoint, target string) (*Download, error) {
	for attempt := 1; ; attempt++ {
		d, err := c.download(ctx, endpoint, target, nil)
		if err != nil || d.Length != 0 || attempt == 3 {
			return d, err
		}
		_ = d.Close()
	}
}

// downloadAttempts is how often a download is asked for when the request
// fails on the way (see lostOnTheWay). Once the body flows it is the
// caller's: a download is not resumed.
const downloadAttempts = 3

func (c *Client) download(ctx context.Context, endpoint, target string, header http.Header) (*Download, error) {
	for attempt := 1; ; attempt++ {
		d, err := c.downloadOnce(ctx, endpoint, target, header)
		if err == nil || attempt == downloadAttempts || !lostOnTheWay(err) {
			return d, err
		}
		delay := c.backoff(attempt, false)
		c.log.Debug().Err(err).Str("endpoint", endpoint).Dur("retry_in", delay).Msg("Download failed on the way, asking again")
		if err := sleepCtx(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// lostOnTheWay reports whether a call failed in transit in a way that
// asking again may fix: the connection was reset or closed, or the server
// answered 5xx or 429 (the file host's "too frequent"). Not a call that
// timed out (the next would wait as long), not a cancelled one, not
// anything WeChat answered with a ret.
func lostOnTheWay(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.Temporary()
	}
	var timeoutErr *TimeoutError
	if errors.As(err, &timeoutErr) {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return !netErr.Timeout()
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (c *Client) downloadOnce(ctx context.Context, endpoint, target string, header http.Header) (*Download, error) {
	resp, err := c.t.do(ctx, request{endpoint: endpoint, url: target, header: header, timeout: mediaTimeout})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		_ = resp.Body.Close()
		return nil, &HTTPError{Endpoint: endpoint, Status: resp.StatusCode}
	}
	limit := c.t.cfg.MaxMediaSize
	if resp.ContentLength > limit {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: %s announced %d bytes, the limit is %d", ErrTooLarge, endpoint, resp.ContentLength, limit)
	}
	return &Download{
		ReadCloser:  &limitedBody{r: resp.Body, left: limit},
		ContentType: resp.Header.Get("Content-Type"),
		Length:      resp.ContentLength,
	}, nil
}

// limitedBody fails with ErrTooLarge instead of silently truncating. It
// never hands out a byte beyond the limit.
type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// At the limit: the body must end here.
		var probe [1]byte
		n, err := l.r.Read(probe[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }
