package wechattest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// uploadOpts describes an upload the test client makes; zero fields get
// correct values.
type uploadOpts struct {
	name, mediatype string
	data            []byte
	chunkSize       int
	order           []int // chunk order; nil means in order
	noChunkFields   bool
	mutate          func(umr *wechat.UploadMediaRequest)
	fields          map[string]string // overrides of form fields
}

func (c *tclient) upload(o uploadOpts) []wechat.UploadMediaResponse {
	c.t.Helper()
	if o.name == "" {
		o.name = "file.bin"
	}
	if o.mediatype == "" {
		o.mediatype = "doc"
	}
	if o.chunkSize == 0 {
		o.chunkSize = wechat.UploadChunkSize
	}
	umr := wechat.UploadMediaRequest{
		UploadType: 2, BaseRequest: c.baseReq(), ClientMediaId: 17000000000000, TotalLen: int64(len(o.data)),
		DataLen: int64(len(o.data)), MediaType: 4, FromUserName: c.srv.UserName(SelfID), ToUserName: "filehelper",
		FileMd5: md5Hex(o.data),
	}
	if o.mutate != nil {
		o.mutate(&umr)
	}
	var chunks [][]byte
	for off := 0; off < len(o.data); off += o.chunkSize {
		chunks = append(chunks, o.data[off:min(off+o.chunkSize, len(o.data))])
	}
	if len(chunks) == 0 {
		chunks = [][]byte{nil}
	}
	order := o.order
	if order == nil {
		for i := range chunks {
			order = append(order, i)
		}
	}
	var out []wechat.UploadMediaResponse
	for _, i := range order {
		fields := map[string]string{
			"id": "WU_FILE_0", "name": o.name, "type": "application/octet-stream",
			"lastModifiedDate": "Mon Jan 02 2006 15:04:05 GMT+0800 (中国标准时间)",
			"size":             strconv.Itoa(len(o.data)), "mediatype": o.mediatype,
			"uploadmediarequest": string(mustJSON(c.t, umr)),
			"webwx_data_ticket":  c.cookie("webwx_data_ticket"),
			"pass_ticket":        url.QueryEscape(c.passTicket),
		}
		if !o.noChunkFields && len(chunks) > 1 {
			fields["chunks"], fields["chunk"] = strconv.Itoa(len(chunks)), strconv.Itoa(i)
		}
		for k, v := range o.fields {
			fields[k] = v
		}
		var resp wechat.UploadMediaResponse
		require.NoError(c.t, json.Unmarshal(c.postMultipart(fields, chunks[i]), &resp))
		out = append(out, resp)
		if resp.BaseResponse.Ret != 0 {
			break
		}
	}
	return out
}

func (c *tclient) postMultipart(fields map[string]string, file []byte) []byte {
	c.t.Helper()
	body, contentType := multipartBody(c.t, fields, file)
	resp, data := c.do(http.MethodPost, api("webwxuploadmedia"), url.Values{"f": {"json"}}, body,
		http.Header{"Content-Type": {contentType}})
	require.Equal(c.t, http.StatusOK, resp.StatusCode, string(data))
	return data
}

// multipartBody builds an upload's form: fields, then the file under
// "filename". It returns the body and its Content-Type.
func multipartBody(t *testing.T, fields map[string]string, file []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	fw, err := mw.CreateFormFile("filename", fields["name"])
	require.NoError(t, err)
	_, _ = fw.Write(file)
	require.NoError(t, mw.Close())
	return buf.Bytes(), mw.FormDataContentType()
}

func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestUploadChunkedThenSendFile(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	data := patterned(1_200_000)
	resps := c.upload(uploadOpts{name: "big report.pdf", data: data})
	require.Len(t, resps, 3)
	for _, r := range resps[:2] {
		assert.Equal(t, 0, r.BaseResponse.Ret)
		assert.Empty(t, r.MediaId)
	}
	last := resps[2]
	require.Equal(t, 0, last.BaseResponse.Ret)
	require.True(t, strings.HasPrefix(last.MediaId, "@crypt_"))

	ups := s.Uploads()
	require.Len(t, ups, 1)
	assert.Equal(t, last.MediaId, ups[0].MediaID)
	assert.Equal(t, 3, ups[0].Chunks)
	assert.Equal(t, data, ups[0].Data)
	assert.Equal(t, md5Hex(data), ups[0].MD5)
	assert.Equal(t, "doc", ups[0].MediaType)
	assert.Empty(t, ups[0].Violations)

	content := "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>big report.pdf</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>1200000</totallen><attachid>" +
		last.MediaId + "</attachid><fileext>pdf</fileext></appattach><extinfo></extinfo></appmsg>"
	var out wechat.SendResponse
	c.postJSON("webwxsendappmsg", url.Values{"fun": {"async"}, "f": {"json"}}, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: wechat.OutMessage{
		Type: 6, Content: content, FromUserName: s.UserName(SelfID), ToUserName: s.UserName("alice"), LocalID: "77", ClientMsgId: "77",
	}}, &out)
	require.Equal(t, 0, out.BaseResponse.Ret, out.BaseResponse.ErrMsg)

	r := c.sync(init.SyncKey)
	require.Equal(t, 1, r.AddMsgCount)
	echo := r.AddMsgList[0]
	assert.Equal(t, wechat.MsgTypeApp, echo.MsgType)
	assert.Equal(t, "big report.pdf", echo.FileName)
	assert.Equal(t, "1200000", echo.FileSize)

	resp, body := c.do(http.MethodGet, api("webwxgetmedia"), url.Values{
		"sender": {echo.FromUserName}, "mediaid": {echo.MediaId}, "encryfilename": {echo.EncryFileName},
		"fromuser": {strconv.FormatInt(c.uin, 10)}, "pass_ticket": {c.passTicket}, "webwx_data_ticket": {c.cookie("webwx_data_ticket")},
	}, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, data, body)
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
}

func TestUploadRefusals(t *testing.T) {
	small := patterned(1000)
	big := patterned(700_000)
	tests := []struct {
		name    string
		opts    uploadOpts
		wantRet int
		wantWhy string
	}{
		{"md5 mismatch", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.FileMd5 = md5Hex([]byte("other")) }}, -1, "does not match TotalLen and FileMd5"},
		{"chunk too large", uploadOpts{data: big, chunkSize: 600_000}, 1, "at most 524288"},
		{"out of order", uploadOpts{data: big, order: []int{1, 0}}, 1, "out of order"},
		{"over 512 KiB without chunks", uploadOpts{data: big, noChunkFields: true}, 1, "without chunks"},
		{"no data ticket", uploadOpts{data: small, fields: map[string]string{"webwx_data_ticket": ""}}, 1, "webwx_data_ticket"},
		{"wrong pass_ticket", uploadOpts{data: small, fields: map[string]string{"pass_ticket": "nope"}}, 1, "pass_ticket"},
		{"StartPos not 0", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.StartPos = 5 }}, 1, "StartPos 0"},
		{"DataLen not total", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.DataLen = 10 }}, 1, "DataLen"},
		{"bad md5", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.FileMd5 = "zz" }}, 1, "FileMd5"},
		{"no ClientMediaId", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.ClientMediaId = 0 }}, 1, "ClientMediaId"},
		{"size field wrong", uploadOpts{data: small, fields: map[string]string{"size": "1"}}, 1, "size field"},
		{"bad mediatype", uploadOpts{data: small, mediatype: "gif"}, 1, "mediatype"},
		{"no name", uploadOpts{data: small, fields: map[string]string{"name": ""}}, 1, "name field"},
		{"bad chunk fields", uploadOpts{data: small, fields: map[string]string{"chunks": "x"}}, 1, "chunks/chunk"},
		{"wrong Skey", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) { u.BaseRequest.Skey = "x" }}, 1101, "BaseRequest.Skey"},
		{"over 25 MB without signature", uploadOpts{data: small, mutate: func(u *wechat.UploadMediaRequest) {
			u.TotalLen, u.DataLen = 30<<20, 30<<20
		}, fields: map[string]string{"size": strconv.Itoa(30 << 20)}}, -1, "without the Signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := loggedIn(t, Config{})
			resps := c.upload(tt.opts)
			last := resps[len(resps)-1]
			assert.Equal(t, tt.wantRet, last.BaseResponse.Ret)
			assert.Empty(t, last.MediaId)
			assert.True(t, hasViolation(s, tt.wantWhy), s.Violations())
		})
	}
}

func TestUploadChunkDiffersFromFirst(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	data := patterned(700_000)
	umr := wechat.UploadMediaRequest{
		UploadType: 2, BaseRequest: c.baseReq(), ClientMediaId: 1, TotalLen: int64(len(data)), DataLen: int64(len(data)),
		MediaType: 4, FileMd5: md5Hex(data),
	}
	fields := func(chunk int, name string) map[string]string {
		return map[string]string{
			"id": "WU_FILE_0", "name": name, "type": "application/pdf", "size": strconv.Itoa(len(data)), "mediatype": "doc",
			"chunks": "2", "chunk": strconv.Itoa(chunk), "uploadmediarequest": string(mustJSON(t, umr)),
			"webwx_data_ticket": c.cookie("webwx_data_ticket"), "pass_ticket": c.passTicket,
		}
	}
	var r wechat.UploadMediaResponse
	require.NoError(t, json.Unmarshal(c.postMultipart(fields(0, "a.pdf"), data[:wechat.UploadChunkSize]), &r))
	require.Equal(t, 0, r.BaseResponse.Ret)
	assert.Equal(t, int64(wechat.UploadChunkSize), r.StartPos)
	require.NoError(t, json.Unmarshal(c.postMultipart(fields(1, "b.pdf"), data[wechat.UploadChunkSize:]), &r))
	assert.Equal(t, 1, r.BaseResponse.Ret)
	assert.True(t, hasViolation(s, "differs from chunk 0"))
}

// TestUploadChunkSentAgain: a chunk whose answer was lost comes again with
// the same bytes (the web client's uploader retries chunks): it is taken
// once, and a repeated last chunk gets the MediaId it already got, so
// the file exists once.
func TestUploadChunkSentAgain(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	data := patterned(2*wechat.UploadChunkSize + 1000)
	resps := c.upload(uploadOpts{data: data, order: []int{0, 1, 1, 2, 2}})
	require.Len(t, resps, 5)
	for i, r := range resps {
		require.Equal(t, 0, r.BaseResponse.Ret, "answer %d: %s", i, r.BaseResponse.ErrMsg)
	}
	assert.Equal(t, resps[1], resps[2], "the middle chunk again: the same answer")
	require.NotEmpty(t, resps[3].MediaId)
	assert.Equal(t, resps[3].MediaId, resps[4].MediaId, "the last chunk again: the same MediaId")
	ups := s.Uploads()
	require.Len(t, ups, 1, "one file")
	assert.Equal(t, data, ups[0].Data, "each chunk once, in order")
	assert.Empty(t, s.Violations())
}

func TestGIFUploadedAsPic(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	gif := append([]byte("GIF89a"), patterned(100)...)
	resps := c.upload(uploadOpts{name: "a.gif", data: gif, mediatype: "pic"})
	require.Equal(t, 0, resps[0].BaseResponse.Ret)
	assert.NotEmpty(t, resps[0].MediaId, "the real server accepts it (and shows a wrong picture)")
	assert.True(t, hasViolation(s, "GIF uploaded with mediatype=pic"))
	assert.NotEmpty(t, s.Uploads()[0].Violations)

	resps = c.upload(uploadOpts{name: "b.gif", data: gif, mediatype: "doc"})
	require.NotEmpty(t, resps[0].MediaId)
	assert.Len(t, s.Violations(), 1)
}

func sendMedia(c *tclient, endpoint string, q url.Values, m wechat.OutMessage) wechat.SendResponse {
	c.t.Helper()
	m.FromUserName = c.srv.UserName(SelfID)
	if m.ToUserName == "" {
		m.ToUserName = c.srv.UserName("alice")
	}
	var out wechat.SendResponse
	c.postJSON(endpoint, q, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: m}, &out)
	return out
}

func TestSendMediaMessages(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	jpg := plainJPEG([]byte("photo"), 300, 200)
	pic := c.upload(uploadOpts{name: "p.jpg", data: jpg, mediatype: "pic"})[0]
	require.NotEmpty(t, pic.MediaId)
	assert.Equal(t, 120, pic.CDNThumbImgWidth)
	vid := c.upload(uploadOpts{name: "v.mp4", data: []byte("....ftypmp42"), mediatype: "video"})[0]
	gif := c.upload(uploadOpts{name: "s.gif", data: append([]byte("GIF89a"), 1, 2, 3), mediatype: "doc"})[0]
	async := url.Values{"fun": {"async"}, "f": {"json"}}
	tests := []struct {
		name     string
		endpoint string
		q        url.Values
		msg      wechat.OutMessage
		wantRet  int
		wantType int
	}{
		{"image", "webwxsendmsgimg", async, wechat.OutMessage{Type: 3, MediaId: pic.MediaId, LocalID: "1", ClientMsgId: "1"}, 0, 3},
		{"image without upload", "webwxsendmsgimg", async, wechat.OutMessage{Type: 3, MediaId: "@crypt_x", LocalID: "2", ClientMsgId: "2"}, 1, 0},
		{"video", "webwxsendvideomsg", async, wechat.OutMessage{Type: 43, MediaId: vid.MediaId, LocalID: "3", ClientMsgId: "3"}, 0, 43},
		{"video without upload", "webwxsendvideomsg", async, wechat.OutMessage{Type: 43, LocalID: "3b", ClientMsgId: "3b"}, 1, 0},
		{"sticker by upload", "webwxsendemoticon", url.Values{"fun": {"sys"}}, wechat.OutMessage{Type: 47, EmojiFlag: 2, MediaId: gif.MediaId, LocalID: "4", ClientMsgId: "4"}, 0, 47},
		{"sticker by unknown upload", "webwxsendemoticon", url.Values{"fun": {"sys"}}, wechat.OutMessage{Type: 47, EmojiFlag: 2, MediaId: "@crypt_x", LocalID: "4b", ClientMsgId: "4b"}, 1, 0},
		{"sticker by md5", "webwxsendemoticon", url.Values{"fun": {"sys"}}, wechat.OutMessage{Type: 47, EmojiFlag: 2, EMoticonMd5: md5Hex([]byte("GIF89a-received")), LocalID: "5", ClientMsgId: "5"}, 0, 47},
		{"sticker without EmojiFlag", "webwxsendemoticon", url.Values{"fun": {"sys"}}, wechat.OutMessage{Type: 47, MediaId: gif.MediaId, LocalID: "6", ClientMsgId: "6"}, 1, 0},
		{"sticker with neither", "webwxsendemoticon", url.Values{"fun": {"sys"}}, wechat.OutMessage{Type: 47, EmojiFlag: 2, LocalID: "7", ClientMsgId: "7"}, 1, 0},
		{"appmsg not XML", "webwxsendappmsg", async, wechat.OutMessage{Type: 6, Content: "<appmsg", LocalID: "8", ClientMsgId: "8"}, 1, 0},
		{"appmsg wrong type", "webwxsendappmsg", async, wechat.OutMessage{Type: 6, Content: "<appmsg><title>t</title><type>5</type></appmsg>", LocalID: "9", ClientMsgId: "9"}, 1, 0},
		{"appmsg no title", "webwxsendappmsg", async, wechat.OutMessage{Type: 6, Content: "<appmsg><type>6</type></appmsg>", LocalID: "10", ClientMsgId: "10"}, 1, 0},
		{"appmsg unknown attachid", "webwxsendappmsg", async, wechat.OutMessage{Type: 6, Content: "<appmsg><title>t</title><type>6</type><appattach><attachid>@x</attachid></appattach></appmsg>", LocalID: "11", ClientMsgId: "11"}, 1, 0},
		{"appmsg in msg, wrong totallen", "webwxsendappmsg", nil, wechat.OutMessage{Type: 6, Content: "<msg><appmsg><title>s.gif</title><type>6</type><appattach><totallen>1</totallen><attachid>" + gif.MediaId + "</attachid></appattach></appmsg></msg>", LocalID: "12", ClientMsgId: "12"}, 0, 49},
	}
	s.InjectEmoticon("bob", "", []byte("GIF89a-received"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := sendMedia(c, tt.endpoint, tt.q, tt.msg)
			assert.Equal(t, tt.wantRet, out.BaseResponse.Ret, out.BaseResponse.ErrMsg)
		})
	}
	assert.True(t, hasViolation(s, "totallen does not match"))
	assert.True(t, hasViolation(s, "query fun=async missing"))

	var types []int
	var imageEcho wechat.RawMessage
	for _, m := range c.sync(init.SyncKey).AddMsgList {
		if m.FromUserName == s.UserName(SelfID) {
			types = append(types, m.MsgType)
			if m.MsgType == wechat.MsgTypeImage {
				imageEcho = m
			}
		}
	}
	assert.Equal(t, []int{3, 43, 47, 47, 49}, types)

	_, body := c.do(http.MethodGet, api("webwxgetmsgimg"), url.Values{"MsgID": {imageEcho.MsgId}, "skey": {c.skey}}, nil, nil)
	assert.Equal(t, jpg, body)
}

func TestSendGIFAsImageRecorded(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	gif := c.upload(uploadOpts{name: "s.gif", data: append([]byte("GIF89a"), 1, 2, 3), mediatype: "doc"})[0]
	out := sendMedia(c, "webwxsendmsgimg", url.Values{"fun": {"async"}, "f": {"json"}}, wechat.OutMessage{Type: 3, MediaId: gif.MediaId, LocalID: "1", ClientMsgId: "1"})
	assert.Equal(t, 0, out.BaseResponse.Ret)
	assert.True(t, hasViolation(s, "GIF sent as an image"))
}

func TestCheckUploadAndBigFile(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	data := patterned(wechat.CheckUploadThreshold + 1000)
	sum := md5Hex(data)
	var check wechat.CheckUploadResponse
	c.postJSON("webwxcheckupload", nil, wechat.CheckUploadRequest{
		BaseRequest: c.baseReq(), FileMd5: sum, FileName: "huge.zip", FileSize: int64(len(data)), FileType: 7,
		FromUserName: s.UserName(SelfID), ToUserName: s.UserName("alice"),
	}, &check)
	require.Equal(t, 0, check.BaseResponse.Ret)
	assert.Empty(t, check.MediaId)
	require.NotEmpty(t, check.Signature)
	assert.NotEmpty(t, check.AESKey)

	resps := c.upload(uploadOpts{name: "huge.zip", data: data, mutate: func(u *wechat.UploadMediaRequest) {
		u.AESKey, u.Signature = check.AESKey, check.Signature
	}})
	last := resps[len(resps)-1]
	require.Equal(t, 0, last.BaseResponse.Ret)
	require.NotEmpty(t, last.MediaId)

	content := "<appmsg appid='' sdkver=''><title>huge.zip</title><type>6</type><appattach><totallen>" + strconv.Itoa(len(data)) +
		"</totallen><attachid>" + last.MediaId + "</attachid><fileext>zip</fileext></appattach></appmsg>"
	q := url.Values{"fun": {"async"}, "f": {"json"}, "mod": {"desktop"}}
	out := sendMedia(c, "webwxsendappmsg", q, wechat.OutMessage{Type: 6, Content: content, LocalID: "1", ClientMsgId: "1"})
	assert.Equal(t, -1, out.BaseResponse.Ret, "the appmsg needs the Signature too")
	out = sendMedia(c, "webwxsendappmsg", q, wechat.OutMessage{Type: 6, Content: content, LocalID: "2", ClientMsgId: "2", Signature: check.Signature})
	assert.Equal(t, 0, out.BaseResponse.Ret, out.BaseResponse.ErrMsg)

	var bad wechat.CheckUploadResponse
	c.postJSON("webwxcheckupload", nil, wechat.CheckUploadRequest{BaseRequest: c.baseReq(), FileMd5: sum, FileName: "small", FileSize: 10, FileType: 0}, &bad)
	assert.Equal(t, 1, bad.BaseResponse.Ret)
	c.postJSON("webwxcheckupload", nil, wechat.CheckUploadRequest{BaseRequest: c.baseReq(), FileMd5: sum, FileName: "small", FileSize: 10, FileType: 7}, &bad)
	assert.Equal(t, 0, bad.BaseResponse.Ret)
	assert.Equal(t, check.Signature, bad.Signature)
	assert.True(t, hasViolation(s, "25 MB or less"))
}
