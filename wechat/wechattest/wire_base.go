package wechattest

// The parts every JSON body and answer shares (reference §3.1, §4.2, §9).

// BaseRequest is the session part of nearly every POST body. The official
// client sends Uin as a number (webwxinit's body, built before the init
// answer, carries the wxuin cookie's string: see initBaseRequest).
type BaseRequest struct {
	Uin      int64  `json:"Uin,required"`
	Sid      string `json:"Sid,required"`
	Skey     string `json:"Skey,required"`
	DeviceID string `json:"DeviceID,required"`
}

// initBaseRequest is webwxinit's BaseRequest: the web client takes Uin
// from the wxuin cookie there, a string, so both forms are its own.
type initBaseRequest struct {
	Uin      int64  `json:"Uin,required,numstr"`
	Sid      string `json:"Sid,required"`
	Skey     string `json:"Skey,required"`
	DeviceID string `json:"DeviceID,required"`
}

func (b initBaseRequest) base() BaseRequest {
	return BaseRequest{Uin: b.Uin, Sid: b.Sid, Skey: b.Skey, DeviceID: b.DeviceID}
}

// baseResponse is the status part of every JSON answer.
type baseResponse struct {
	Ret    int    `json:"Ret"`
	ErrMsg string `json:"ErrMsg"`
}

// syncKeyItem is one Key_Val pair of a sync key.
type syncKeyItem struct {
	Key int   `json:"Key,required"`
	Val int64 `json:"Val,required"`
}

// syncKey is a SyncKey or SyncCheckKey: {"Count":n,"List":[…]}.
type syncKey struct {
	Count int           `json:"Count,required"`
	List  []syncKeyItem `json:"List,required"`
}

// emptySyncKey is the key of an answer that carries none: Count 0 and an
// empty list, never null.
func emptySyncKey() syncKey { return syncKey{List: []syncKeyItem{}} }
