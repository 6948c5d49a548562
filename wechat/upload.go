package wechat

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Fixed numbers in the upload requests (protocol reference §7.1 and
// §7.2): the clients the reference compares send these same values for
// every kind of file.
const (
	// uploadTypeOnSend is uploadmediarequest's UploadType. The web client
	// builds the request with 1 and swaps in 2 right before it sends it;
	// no client names either value.
	uploadTypeOnSend = 2
	// uploadMediaTypeAttachment is uploadmediarequest's MediaType: the web
	// client's UPLOAD_MEDIA_TYPE_ATTACHMENT (its list runs 1 image, 2 video,
	// 3 audio, 4 attachment). Clients send it for pictures and videos too;
	// the multipart "mediatype" field (pic, video or doc, see mediaTypeFor)
	// is what tells the kinds apart.
	uploadMediaTypeAttachment = 4
	// checkUploadFileType is webwxcheckupload's FileType. No client names
	// it; puppet-wechat notes that the request fails without it.
	checkUploadFileType = 7
)

// UploadResult is an uploaded file, ready to be sent.
type UploadResult struct {
	MediaID       string
	EncryFileName string
	// Signature and AESKey come from webwxcheckupload (files above 25 MB)
	// and must accompany the send.
	Signature string
	AESKey    string
	Name      string
	Size      int64
	MD5       string
	// MediaType is pic, video or doc.
	MediaType string
}

// mediaTypeFor picks webwxuploadmedia's mediatype. GIFs must go as doc:
// as pic the server sends the wrong picture.
func mediaTypeFor(name, mime string) string {
	mime = strings.ToLower(mime)
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	switch {
	case mime == "image/gif" || ext == "gif":
		return "doc"
	case mime == "image/jpeg" || mime == "image/png" || mime == "image/bmp" ||
		ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "bmp":
		return "pic"
	case mime == "video/mp4" || ext == "mp4":
		return "video"
	}
	return "doc"
}

// Upload uploads size bytes from r to the file host in 512 KiB chunks for
// sending to the chat to. Files above 25 MB are announced with
// webwxcheckupload first; if the server already has the file, nothing is
// sent again.
func (c *Client) Upload(ctx context.Context, to, name, mime string, r io.ReaderAt, size int64) (*UploadResult, error) {
	if size <= 0 {
		return nil, errors.New("wechat: nothing to upload")
	}
	if size > c.t.cfg.MaxMediaSize {
		return nil, fmt.Errorf("%w: %d bytes is above the %d byte limit", ErrTooLarge, size, c.t.cfg.MaxMediaSize)
	}
	if name == "" {
		name = "file"
	}
	sum := md5.New()
	if _, err := io.Copy(sum, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, fmt.Errorf("wechat: reading the file to upload: %w", err)
	}
	res := &UploadResult{Name: name, Size: size, MD5: hex.EncodeToString(sum.Sum(nil)), MediaType: mediaTypeFor(name, mime)}
	v := c.view()
	if size > CheckUploadThreshold {
		done, err := c.checkUpload(ctx, v, to, res)
		if err != nil || done {
			return res, err
		}
	}
	req := UploadMediaRequest{
		UploadType:    uploadTypeOnSend,
		BaseRequest:   v.base,
		ClientMediaId: time.Now().UnixMilli(),
		TotalLen:      size,
		StartPos:      0,
		DataLen:       size,
		MediaType:     uploadMediaTypeAttachment,
		FromUserName:  v.self,
		ToUserName:    to,
		FileMd5:       res.MD5,
		AESKey:        res.AESKey,
		Signature:     res.Signature,
	}
	reqJSON, err := encodeJSON(req)
	if err != nil {
		return nil, fmt.Errorf("wechat: encoding upload request: %w", err)
	}
	target := c.t.route.api(v.hosts.File, "webwxuploadmedia", url.Values{"f": {"json"}})
	ticket := c.t.jar.Value(hostOf(target), "webwx_data_ticket")
	if ticket == "" {
		return nil, fmt.Errorf("%w: the session has no webwx_data_ticket cookie for uploads", ErrNotLoggedIn)
	}
	chunks := (size + UploadChunkSize - 1) / UploadChunkSize
	if mime == "" {
		mime = "application/octet-stream"
	}
	for i := int64(0); i < chunks; i++ {
		fields := [][2]string{
			{"id", "WU_FILE_0"},
			{"name", name},
			{"type", mime},
			{"lastModifiedDate", time.Now().Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)")},
			{"size", strconv.FormatInt(size, 10)},
		}
		if chunks > 1 {
			fields = append(fields, [2]string{"chunks", strconv.FormatInt(chunks, 10)}, [2]string{"chunk", strconv.FormatInt(i, 10)})
		}
		fields = append(fields,
			[2]string{"mediatype", res.MediaType},
			[2]string{"uploadmediarequest", string(reqJSON)},
			[2]string{"webwx_data_ticket", ticket},
			[2]string{"pass_ticket", formPassTicket(v.passTicket)},
		)
		resp, err := c.uploadChunkRetrying(ctx, target, fields, name, func() io.Reader {
			return io.NewSectionReader(r, i*UploadChunkSize, min(UploadChunkSize, size-i*UploadChunkSize))
		})
		if err != nil {
			return nil, fmt.Errorf("wechat: uploading chunk %d of %d: %w", i+1, chunks, err)
		}
		if i == chunks-1 {
			if resp.MediaId == "" {
				return nil, fmt.Errorf("%w: upload finished without a MediaId", ErrUnexpectedResponse)
			}
			res.MediaID, res.EncryFileName = resp.MediaId, resp.EncryFileName
		}
	}
	return res, nil
}

// chunkAttempts is how often one chunk is sent when the connection fails
// on the way: the web client's uploader (WebUploader) sends a chunk again
// up to twice (its chunkRetry), and the server takes a chunk it already
// has without adding it twice.
const chunkAttempts = 3

// uploadChunkRetrying sends one chunk. A chunk refused as too frequent is
// sent again after the uploads' cooldown (see callRefusable); one lost to
// the network (a reset, a 5xx) is sent again after a short backoff, up to
// chunkAttempts times. Only that chunk is sent again, never the file
// from its start, so the upload ends with one MediaId. data gives the
// chunk's bytes afresh for every attempt.
func (c *Client) uploadChunkRetrying(ctx context.Context, target string, fields [][2]string, name string, data func() io.Reader) (*UploadMediaResponse, error) {
	var resp *UploadMediaResponse
	for attempt := 1; ; attempt++ {
		err := c.callRefusable(ctx, &c.uploads, "webwxuploadmedia", func() error {
			var err error
			resp, err = c.uploadChunk(ctx, target, fields, name, data())
			return err
		})
		if err == nil || attempt == chunkAttempts || !lostOnTheWay(err) {
			return resp, err
		}
		delay := c.backoff(attempt, false)
		c.log.Warn().Err(err).Dur("retry_in", delay).Msg("Upload chunk failed on the way, sending it again")
		if err := sleepCtx(ctx, delay); err != nil {
			return nil, err
		}
	}
}

func (c *Client) uploadChunk(ctx context.Context, target string, fields [][2]string, name string, data io.Reader) (*UploadMediaResponse, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	fw, err := w.CreateFormFile("filename", name)
	if err != nil {
		return nil, err
	}
	if _, err = io.Copy(fw, data); err != nil {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	if err = w.Close(); err != nil {
		return nil, err
	}
	_, _, answer, err := c.t.fetch(ctx, request{
		endpoint:    "webwxuploadmedia",
		method:      http.MethodPost,
		url:         target,
		body:        &body,
		contentType: w.FormDataContentType(),
		timeout:     mediaTimeout,
	}, maxAPIBody)
	if err != nil {
		return nil, err
	}
	var resp UploadMediaResponse
	if err = decodeAnswer("webwxuploadmedia", answer, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// checkUpload announces a big file. It reports done when the server
// already has it.
func (c *Client) checkUpload(ctx context.Context, v view, to string, res *UploadResult) (bool, error) {
	req := CheckUploadRequest{
		BaseRequest:  v.base,
		FileMd5:      res.MD5,
		FileName:     res.Name,
		FileSize:     res.Size,
		FileType:     checkUploadFileType,
		FromUserName: v.self,
		ToUserName:   to,
	}
	var resp CheckUploadResponse
	if err := c.t.callJSON(ctx, "webwxcheckupload", c.webURL(v, "webwxcheckupload", nil), req, &resp); err != nil {
		return false, err
	}
	res.AESKey, res.Signature = resp.AESKey, resp.Signature
	if resp.MediaId != "" {
		res.MediaID, res.EncryFileName = resp.MediaId, resp.EncryFileName
		return true, nil
	}
	return false, nil
}
