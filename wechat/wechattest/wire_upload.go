package wechattest

// Uploads on the wire (reference §7.1, §7.2).

// uploadMediaRequest is the JSON of the uploadmediarequest form field,
// the same in every chunk. AESKey and Signature come only after
// webwxcheckupload (the web client leaves them undefined otherwise).
type uploadMediaRequest struct {
	UploadType    int         `json:"UploadType,required"`
	BaseRequest   BaseRequest `json:"BaseRequest,required"`
	ClientMediaId int64       `json:"ClientMediaId,required"`
	TotalLen      int64       `json:"TotalLen,required"`
	StartPos      int64       `json:"StartPos,required"`
	DataLen       int64       `json:"DataLen,required"`
	MediaType     int         `json:"MediaType,required"`
	FromUserName  string      `json:"FromUserName,required"`
	ToUserName    string      `json:"ToUserName,required"`
	FileMd5       string      `json:"FileMd5,required"`
	AESKey        string      `json:"AESKey"`
	Signature     string      `json:"Signature"`
}

// uploadAnswer is webwxuploadmedia's answer; MediaId is empty until the
// last chunk.
type uploadAnswer struct {
	BaseResponse      baseResponse `json:"BaseResponse"`
	MediaId           string       `json:"MediaId"`
	StartPos          int64        `json:"StartPos"`
	CDNThumbImgHeight int          `json:"CDNThumbImgHeight"`
	CDNThumbImgWidth  int          `json:"CDNThumbImgWidth"`
	EncryFileName     string       `json:"EncryFileName"`
}

// checkUploadBody is webwxcheckupload's body (files over 25 MB).
type checkUploadBody struct {
	BaseRequest  BaseRequest `json:"BaseRequest,required"`
	FileMd5      string      `json:"FileMd5,required"`
	FileName     string      `json:"FileName,required"`
	FileSize     int64       `json:"FileSize,required"`
	FileType     int         `json:"FileType,required"`
	FromUserName string      `json:"FromUserName,required"`
	ToUserName   string      `json:"ToUserName,required"`
}

// checkUploadAnswer is webwxcheckupload's answer. A MediaId would mean
// the file is already on the server; the simulator never has one.
type checkUploadAnswer struct {
	BaseResponse  baseResponse `json:"BaseResponse"`
	MediaId       string       `json:"MediaId"`
	AESKey        string       `json:"AESKey"`
	Signature     string       `json:"Signature"`
	EncryFileName string       `json:"EncryFileName"`
}
