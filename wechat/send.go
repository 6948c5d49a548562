package wechat

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SendResult identifies a sent message. Keep it: revoking needs both IDs.
type SendResult struct {
	// MsgID is the server's ID (NewMsgId of the message).
	MsgID int64
	// ClientMsgID is the ID this client gave the message.
	ClientMsgID string
	Time        time.Time
}

// SendText sends text (newlines as \n). mentions are the UserNames of
// group members the text @-mentions; the text itself must contain the
// @names, each followed by U+2005, as the phone writes them.
func (c *Client) SendText(ctx context.Context, to, text string, mentions []string) (*SendResult, error) {
	msg := OutMessage{Type: MsgTypeText, Content: text}
	if len(mentions) > 0 && IsGroupUserName(to) {
		msg.MsgSource = "<msgsource><atusername>" + html.EscapeString(strings.Join(mentions, ",")) +
			"</atusername><atchatroomname>" + html.EscapeString(to) + "</atchatroomname></msgsource>"
	}
	return c.send(ctx, "webwxsendmsg", nil, to, msg)
}

// SendImage sends an uploaded image (see Upload).
func (c *Client) SendImage(ctx context.Context, to, mediaID string) (*SendResult, error) {
	return c.send(ctx, "webwxsendmsgimg", url.Values{"fun": {"async"}, "f": {"json"}}, to,
		OutMessage{Type: MsgTypeImage, MediaId: mediaID})
}

// SendVideo sends an uploaded MP4 video.
func (c *Client) SendVideo(ctx context.Context, to, mediaID string) (*SendResult, error) {
	return c.send(ctx, "webwxsendvideomsg", url.Values{"fun": {"async"}, "f": {"json"}}, to,
		OutMessage{Type: MsgTypeVideo, MediaId: mediaID})
}

// SendFile sends an uploaded file as a file app message.
func (c *Client) SendFile(ctx context.Context, to string, up *UploadResult) (*SendResult, error) {
	appID := FileAppID
	q := url.Values{"fun": {"async"}, "f": {"json"}, "lang": {"zh_CN"}}
	if c.t.cfg.Mode == ModeDesktop {
		appID = ""
		q.Set("mod", "desktop")
	}
	ext := ""
	if i := strings.LastIndexByte(up.Name, '.'); i >= 0 && i < len(up.Name)-1 {
		ext = up.Name[i+1:]
	}
	content := "<appmsg appid='" + appID + "' sdkver=''><title>" + html.EscapeString(up.Name) +
		"</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl>" +
		"<appattach><totallen>" + strconv.FormatInt(up.Size, 10) + "</totallen><attachid>" + html.EscapeString(up.MediaID) +
		"</attachid><fileext>" + html.EscapeString(ext) + "</fileext></appattach><extinfo></extinfo></appmsg>"
	return c.send(ctx, "webwxsendappmsg", q, to, OutMessage{Type: AppMsgTypeAttach, Content: content, Signature: up.Signature})
}

// SendEmoticon sends a sticker: by the MD5 of a sticker WeChat knows, or by
// the MediaID of an uploaded GIF (pass "" for the other).
func (c *Client) SendEmoticon(ctx context.Context, to, md5, mediaID string) (*SendResult, error) {
	if md5 == "" && mediaID == "" {
		return nil, errors.New("wechat: a sticker needs an MD5 or an uploaded GIF")
	}
	return c.send(ctx, "webwxsendemoticon", url.Values{"fun": {"sys"}, "lang": {"zh_CN"}}, to,
		OutMessage{Type: MsgTypeEmoticon, EmojiFlag: 2, EMoticonMd5: md5, MediaId: mediaID})
}

// send posts a message in its turn (see sendGate) and, when WeChat
// refuses it as too frequent, keeps the turn, waits out the cooldown and
// posts it again with the same ClientMsgId: a refused message was not
// delivered, so it is never doubled, and the sends queued behind it wait.
// The returned MsgID is remembered so the echo of the message is dropped.
func (c *Client) send(ctx context.Context, endpoint string, q url.Values, to string, msg OutMessage) (*SendResult, error) {
	if to == "" {
		return nil, errors.New("wechat: no recipient")
	}
	if q == nil {
		q = url.Values{"lang": {"zh_CN"}}
	}
	log := &c.log
	id := newClientMsgID()
	if err := c.sends.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.sends.release()
	for attempt := 0; ; attempt++ {
		if err := c.sends.ready(ctx, c.t.cfg.SendInterval); err != nil {
			return nil, err
		}
		v := c.view()
		msg.FromUserName, msg.ToUserName, msg.LocalID, msg.ClientMsgId = v.self, to, id, id
		res, err := c.post(ctx, endpoint, c.webURL(v, endpoint, q), SendRequest{BaseRequest: v.base, Msg: msg}, id)
		c.sends.lastSend = time.Now()
		if errors.Is(err, ErrTooFrequent) {
			delay := c.sends.cool.refused(c.tooFrequentDelay)
			if attempt >= c.t.cfg.SendRetries {
				log.Warn().Str("endpoint", endpoint).Int("attempts", attempt+1).Msg("WeChat keeps refusing sends as too frequent, giving up on this message")
				return nil, err
			}
			log.Warn().Str("endpoint", endpoint).Dur("retry_in", delay).Msg("WeChat says we send too often, pausing all sends")
			continue
		}
		if err != nil {
			return nil, err
		}
		c.sends.cool.accepted()
		log.Debug().Str("endpoint", endpoint).Int64("new_msg_id", res.MsgID).Msg("Sent message")
		return res, nil
	}
}

// post makes one send call and remembers the returned ID as an echo to
// drop, while the sync loop waits for it (see echoSet).
func (c *Client) post(ctx context.Context, endpoint, target string, req SendRequest, clientMsgID string) (*SendResult, error) {
	c.echoes.begin()
	defer c.echoes.end()
	var resp SendResponse
	if err := c.t.callJSON(ctx, endpoint, target, req, &resp); err != nil {
		return nil, err
	}
	msgID, err := strconv.ParseInt(strings.TrimSpace(resp.MsgID), 10, 64)
	if err != nil || msgID == 0 {
		return nil, fmt.Errorf("%w: %s answered without a message ID", ErrUnexpectedResponse, endpoint)
	}
	c.echoes.add(msgID)
	return &SendResult{MsgID: msgID, ClientMsgID: clientMsgID, Time: time.Now()}, nil
}

// RevokeWindow is how long after sending WeChat lets a message be recalled.
const RevokeWindow = 2 * time.Minute

// ErrRevokeWindowPassed means the message is too old to recall.
var ErrRevokeWindowPassed = errors.New("wechat: messages can only be recalled within 2 minutes")

// Revoke recalls a message this client sent (webwxrevokemsg).
func (c *Client) Revoke(ctx context.Context, to string, sent *SendResult) error {
	if !sent.Time.IsZero() && time.Since(sent.Time) > RevokeWindow {
		return ErrRevokeWindowPassed
	}
	v := c.view()
	req := RevokeRequest{
		BaseRequest: v.base,
		SvrMsgId:    strconv.FormatInt(sent.MsgID, 10),
		ToUserName:  to,
		ClientMsgId: sent.ClientMsgID,
	}
	var resp RevokeResponse
	return c.t.callJSON(ctx, "webwxrevokemsg", c.t.route.api(v.hosts.Web, "webwxrevokemsg", nil), req, &resp)
}

// AcceptFriendRequest accepts a friend request (webwxverifyuser opcode 3)
// with the UserName and ticket it came with.
func (c *Client) AcceptFriendRequest(ctx context.Context, userName, ticket string) error {
	v := c.view()
	req := VerifyUserRequest{
		BaseRequest:        v.base,
		Opcode:             VerifyOpVerifyOK,
		VerifyUserListSize: 1,
		VerifyUserList:     []VerifyUser{{Value: userName, VerifyUserTicket: ticket}},
		SceneListCount:     1,
		SceneList:          []int{33},
		Skey:               v.base.Skey,
	}
	q := url.Values{"r": {strconv.FormatInt(time.Now().UnixMilli(), 10)}, "lang": {"zh_CN"}}
	var resp GenericResponse
	return c.t.callJSON(ctx, "webwxverifyuser", c.webURL(v, "webwxverifyuser", q), req, &resp)
}
