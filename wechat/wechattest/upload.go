package wechattest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
)

// uploadProgress is an upload by ClientMediaId: its chunks so far, and
// once complete the answer that gave its MediaId.
type uploadProgress struct {
	req       uploadMediaRequest // of chunk 0, without DeviceID
	chunks    int
	next      int
	name      string
	mediaType string
	data      []byte
	lastSum   string        // MD5 of the latest chunk, to know it when it comes again
	done      *uploadAnswer // the last chunk's answer, once complete
}

// uploadForm is a parsed webwxuploadmedia request.
type uploadForm struct {
	fields  map[string]string
	file    []byte
	hasFile bool
}

func parseUploadForm(req *request) (uploadForm, error) {
	f := uploadForm{fields: make(map[string]string)}
	_, params, err := mime.ParseMediaType(req.r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return f, errors.New("not multipart/form-data")
	}
	mr := multipart.NewReader(bytes.NewReader(req.body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return f, err
		}
		if p.FormName() == "filename" {
			f.file, f.hasFile = data, true
		} else {
			f.fields[p.FormName()] = string(data)
		}
	}
}

// handleUpload takes one chunk of an upload. Chunks of at most 512 KiB
// come in order, each with the same uploadmediarequest; the last one is
// checked against TotalLen and FileMd5 and answered with the MediaId.
// Intermediate chunks answer Ret 0 and an empty MediaId.
func (s *Server) handleUpload(req *request) {
	if !s.requirePOST(req) {
		return
	}
	form, err := parseUploadForm(req)
	if err != nil {
		s.violation(req.endpoint, "malformed multipart body: "+err.Error())
		writeError(req, retParseRequest, "")
		return
	}
	var umr uploadMediaRequest
	if !s.readWireData(req, "uploadmediarequest", []byte(form.fields["uploadmediarequest"]), &umr) {
		return
	}
	s.withSession(req, &umr.BaseRequest, authSpec{}, func(sess *session) {
		if req.query.Get("f") != "json" {
			s.violationLocked(req.endpoint, "query f=json missing")
		}
		if why := s.checkUploadFieldsLocked(req, sess, form, &umr); why != "" {
			s.violationLocked(req.endpoint, why)
			writeError(req, retParamError, why)
			return
		}
		if sig, ok := s.acct.signatures[umr.FileMd5]; umr.TotalLen > checkUploadThreshold && (!ok || umr.Signature != sig) {
			s.violationLocked(req.endpoint, "file over 25 MB without the Signature of webwxcheckupload")
			writeError(req, retSysError, "signature required")
			return
		}
		p, why := s.chunkLocked(sess, form, umr)
		switch {
		case why != "":
			s.violationLocked(req.endpoint, why)
			writeError(req, retParamError, why)
		case p.done != nil:
			// The last chunk again (its answer was lost): the same MediaId.
			writeJSON(req.w, p.done)
		case p.next < p.chunks:
			writeJSON(req.w, &uploadAnswer{StartPos: int64(len(p.data))})
		default:
			s.finishUploadLocked(req, sess, umr.ClientMediaId, p, form)
		}
	})
}

// checkUploadFieldsLocked checks the form fields every chunk carries.
func (s *Server) checkUploadFieldsLocked(req *request, sess *session, form uploadForm, umr *uploadMediaRequest) string {
	pt := form.fields["pass_ticket"]
	if unescaped, err := url.QueryUnescape(pt); err == nil && pt != sess.passTicket {
		pt = unescaped
	}
	md5Bytes, md5Err := hex.DecodeString(umr.FileMd5)
	switch {
	case !form.hasFile:
		return "no filename part"
	case form.fields["webwx_data_ticket"] == "" || form.fields["webwx_data_ticket"] != req.cookies["webwx_data_ticket"] ||
		form.fields["webwx_data_ticket"] != sess.dataTicket:
		return "webwx_data_ticket field missing or not the cookie's value"
	case pt != sess.passTicket:
		return "pass_ticket field does not match the session"
	case umr.UploadType != uploadTypeSend || umr.StartPos != 0 || umr.MediaType != uploadMediaAttach:
		return "uploadmediarequest needs UploadType 2, StartPos 0 and MediaType 4"
	case umr.TotalLen <= 0 || umr.DataLen != umr.TotalLen:
		return "uploadmediarequest needs DataLen = TotalLen = the file size"
	case md5Err != nil || len(md5Bytes) != 16:
		return "uploadmediarequest.FileMd5 is not an MD5 in hex"
	case umr.ClientMediaId == 0:
		return "uploadmediarequest.ClientMediaId missing"
	case form.fields["size"] != strconv.FormatInt(umr.TotalLen, 10):
		return "size field does not match TotalLen"
	case form.fields["mediatype"] != "pic" && form.fields["mediatype"] != "video" && form.fields["mediatype"] != "doc":
		return "mediatype must be pic, video or doc"
	case form.fields["name"] == "":
		return "name field missing"
	case len(form.file) > uploadChunkSize:
		return "chunk of " + strconv.Itoa(len(form.file)) + " bytes (at most 524288)"
	}
	if form.fields["id"] == "" {
		s.violationLocked(req.endpoint, "id field (WU_FILE_n) missing")
	}
	return ""
}

// chunkLocked adds a chunk to its upload, checking the order and that
// every chunk carries the same request. The chunk received last may come
// again with the same bytes (the web client's uploader sends a chunk
// again when its answer is lost): it is taken without being added twice.
func (s *Server) chunkLocked(sess *session, form uploadForm, umr uploadMediaRequest) (*uploadProgress, string) {
	chunks, chunk := 1, 0
	if c, ok := form.fields["chunks"]; ok {
		var err1, err2 error
		chunks, err1 = strconv.Atoi(c)
		chunk, err2 = strconv.Atoi(form.fields["chunk"])
		if err1 != nil || err2 != nil || chunks < 1 || chunk < 0 || chunk >= chunks {
			return nil, "chunks/chunk fields malformed"
		}
	} else if umr.TotalLen > uploadChunkSize {
		return nil, "file over 524288 bytes sent without chunks"
	}
	umr.BaseRequest.DeviceID = ""
	p := sess.uploads[umr.ClientMediaId]
	if p != nil && chunk == p.next-1 && p.lastSum == md5Hex(form.file) && p.chunks == chunks && p.req == umr {
		return p, ""
	}
	if chunk == 0 {
		p = &uploadProgress{req: umr, chunks: chunks, name: form.fields["name"], mediaType: form.fields["mediatype"]}
		sess.uploads[umr.ClientMediaId] = p
	}
	switch {
	case p == nil || p.next != chunk:
		return nil, "chunk " + strconv.Itoa(chunk) + " out of order"
	case p.chunks != chunks || p.req != umr || p.name != form.fields["name"] || p.mediaType != form.fields["mediatype"]:
		return nil, "chunk " + strconv.Itoa(chunk) + " differs from chunk 0 (uploadmediarequest, chunks, name or mediatype)"
	case int64(len(p.data)+len(form.file)) > umr.TotalLen:
		return nil, "more bytes than TotalLen"
	}
	p.data = append(p.data, form.file...)
	p.next++
	p.lastSum = md5Hex(form.file)
	return p, ""
}

// finishUploadLocked checks an upload whose last chunk came and answers
// with its MediaId, which the upload keeps for a repeat of that chunk.
func (s *Server) finishUploadLocked(req *request, sess *session, clientMediaID int64, p *uploadProgress, form uploadForm) {
	up := Upload{
		Name: p.name, MediaType: p.mediaType, MIME: form.fields["type"],
		Data: p.data, MD5: md5Hex(p.data), Chunks: p.chunks,
	}
	if int64(len(p.data)) != p.req.TotalLen || up.MD5 != p.req.FileMd5 {
		why := "assembled file does not match TotalLen and FileMd5"
		delete(sess.uploads, clientMediaID)
		up.Violations = append(up.Violations, why)
		s.rec.uploads = append(s.rec.uploads, up)
		s.violationLocked(req.endpoint, why)
		writeError(req, retSysError, why)
		return
	}
	if isGIF(p.data) && p.mediaType == "pic" {
		why := "GIF uploaded with mediatype=pic (must be doc)"
		up.Violations = append(up.Violations, why)
		s.violationLocked(req.endpoint, why)
	}
	up.MediaID = newMediaID()
	s.acct.uploads[up.MediaID] = &up
	s.rec.uploads = append(s.rec.uploads, up)
	resp := &uploadAnswer{MediaId: up.MediaID, StartPos: int64(len(p.data)), EncryFileName: url.PathEscape(p.name)}
	if p.mediaType == "pic" {
		w, h := imageSize(p.data)
		resp.CDNThumbImgWidth, resp.CDNThumbImgHeight = min(w, 120), min(h, 120)
	}
	p.done = resp
	writeJSON(req.w, resp)
}

// handleCheckUpload answers webwxcheckupload (files over 25 MB): never a
// MediaId (the file is never already there), but the AESKey and Signature
// the upload and the appmsg must carry.
func (s *Server) handleCheckUpload(req *request) {
	var body checkUploadBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(sess *session) {
		md5Bytes, err := hex.DecodeString(body.FileMd5)
		if err != nil || len(md5Bytes) != 16 || body.FileName == "" || body.FileSize <= 0 || body.FileType != uploadFileTypeBig {
			s.violationLocked(req.endpoint, "FileMd5, FileName, FileSize and FileType 7 are required")
			writeError(req, retParamError, "param error")
			return
		}
		if body.FileSize <= checkUploadThreshold {
			s.violationLocked(req.endpoint, "webwxcheckupload for a file of 25 MB or less")
		}
		sig, ok := s.acct.signatures[body.FileMd5]
		if !ok {
			sig = randomTicket(96)
			s.acct.signatures[body.FileMd5] = sig
		}
		writeJSON(req.w, &checkUploadAnswer{
			AESKey: randomHex(32), Signature: sig, EncryFileName: url.PathEscape(body.FileName),
		})
	})
}
