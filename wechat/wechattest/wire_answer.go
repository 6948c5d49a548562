package wechattest

// An error answer of the real server has the full shape of its endpoint's
// answer: every field present at its zero value, lists as [] and SyncKey
// as {"Count":0,"List":[]}, only BaseResponse set. A client that reads a
// field of an error answer must cope with zeros, not with missing keys.

// answer is a JSON answer whose BaseResponse can be set.
type answer interface {
	status() *baseResponse
}

func (a *initAnswer) status() *baseResponse           { return &a.BaseResponse }
func (a *statusNotifyAnswer) status() *baseResponse   { return &a.BaseResponse }
func (a *contactPage) status() *baseResponse          { return &a.BaseResponse }
func (a *batchContactAnswer) status() *baseResponse   { return &a.BaseResponse }
func (a *syncAnswer) status() *baseResponse           { return &a.BaseResponse }
func (a *sendAnswer) status() *baseResponse           { return &a.BaseResponse }
func (a *revokeAnswer) status() *baseResponse         { return &a.BaseResponse }
func (a *uploadAnswer) status() *baseResponse         { return &a.BaseResponse }
func (a *checkUploadAnswer) status() *baseResponse    { return &a.BaseResponse }
func (a *genericAnswer) status() *baseResponse        { return &a.BaseResponse }
func (a *createChatRoomAnswer) status() *baseResponse { return &a.BaseResponse }

// zeroAnswer is the answer of a JSON endpoint with every field at its
// zero value.
func zeroAnswer(endpoint string) answer {
	switch endpoint {
	case "webwxinit":
		return newInitAnswer()
	case "webwxstatusnotify":
		return &statusNotifyAnswer{}
	case "webwxgetcontact":
		return newContactPage()
	case "webwxbatchgetcontact":
		return newBatchContactAnswer()
	case "webwxsync":
		return newSyncAnswer()
	case "webwxsendmsg", "webwxsendmsgimg", "webwxsendvideomsg", "webwxsendappmsg", "webwxsendemoticon":
		return &sendAnswer{}
	case "webwxrevokemsg":
		return &revokeAnswer{}
	case "webwxuploadmedia":
		return &uploadAnswer{}
	case "webwxcheckupload":
		return &checkUploadAnswer{}
	case "webwxcreatechatroom":
		return newCreateChatRoomAnswer()
	}
	return &genericAnswer{}
}

// errorAnswer is endpoint's answer for ret and msg in the full shape.
func errorAnswer(endpoint string, ret int, msg string) answer {
	a := zeroAnswer(endpoint)
	*a.status() = baseResponse{Ret: ret, ErrMsg: msg}
	return a
}
