package wechattest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBody is a wire type for TestReadWire.
type testBody struct {
	Name  string          `json:"Name,required"`
	Count int             `json:"Count"`
	ID    int64           `json:"ID,numstr"`
	Inner testInner       `json:"Inner"`
	List  []testListEntry `json:"List"`
}

type testInner struct {
	Key string `json:"Key,required"`
}

type testListEntry struct {
	N int `json:"N"`
}

func TestReadWire(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		want       testBody
		deviations []string
		refusal    string
	}{
		{"exact", `{"Name":"a","Count":2,"ID":3,"Inner":{"Key":"k"},"List":[{"N":1}]}`,
			testBody{Name: "a", Count: 2, ID: 3, Inner: testInner{Key: "k"}, List: []testListEntry{{N: 1}}}, nil, ""},
		{"mis-cased key is ignored", `{"name":"a","Inner":{"Key":"k"}}`, testBody{Inner: testInner{Key: "k"}},
			[]string{`key "name" is mis-cased: the server reads "Name" and ignores this key`}, ""},
		{"mis-cased nested key", `{"Name":"a","Inner":{"KEY":"k"}}`, testBody{Name: "a"},
			[]string{`key "Inner.KEY" is mis-cased: the server reads "Key" and ignores this key`}, ""},
		{"unknown key", `{"Name":"a","Inner":{"Key":"k"},"Extra":1}`, testBody{Name: "a", Inner: testInner{Key: "k"}},
			[]string{`key "Extra" is not a key of this body`}, ""},
		{"missing required key", `{"Inner":{"Key":"k"}}`, testBody{Inner: testInner{Key: "k"}},
			[]string{"key Name is missing (the web client always sends it)"}, ""},
		{"number as a string", `{"Name":"a","Inner":{"Key":"k"},"Count":"7"}`, testBody{Name: "a", Count: 7, Inner: testInner{Key: "k"}},
			[]string{"key Count is a string, the web client sends a number"}, ""},
		{"string as a number", `{"Name":5,"Inner":{"Key":"k"}}`, testBody{Name: "5", Inner: testInner{Key: "k"}},
			[]string{"key Name is a number, the web client sends a string"}, ""},
		{"numstr takes both", `{"Name":"a","Inner":{"Key":"k"},"ID":"9"}`, testBody{Name: "a", ID: 9, Inner: testInner{Key: "k"}}, nil, ""},
		{"null", `{"Name":null,"Inner":{"Key":"k"}}`, testBody{Inner: testInner{Key: "k"}},
			[]string{"key Name is null: the server reads no value"}, ""},
		{"list entries are checked", `{"Name":"a","Inner":{"Key":"k"},"List":[{"n":1}]}`, testBody{Name: "a", Inner: testInner{Key: "k"}, List: []testListEntry{{}}},
			[]string{`key "List[0].n" is mis-cased: the server reads "N" and ignores this key`}, ""},
		{"string that is not a number", `{"Name":"a","Count":"x"}`, testBody{}, nil, `key Count is "x", want an integer`},
		{"fraction", `{"Name":"a","Count":1.5}`, testBody{}, nil, `key Count is "1.5", want an integer`},
		{"too big", `{"Name":"a","Count":99999999999999999999}`, testBody{}, nil, `key Count is "99999999999999999999", want an integer`},
		{"object for a string", `{"Name":{}}`, testBody{}, nil, "key Name is an object, want a string"},
		{"array for an object", `{"Inner":[]}`, testBody{}, nil, "key Inner is an array, want an object"},
		{"boolean for a number", `{"Count":true}`, testBody{}, nil, "key Count is a boolean, want a number"},
		{"not an object", `[1]`, testBody{}, nil, "malformed JSON: an array, want an object"},
		{"not JSON", `{"Name":`, testBody{}, nil, "malformed JSON: unexpected EOF"},
		{"data after the value", `{"Name":"a"} {}`, testBody{}, nil, "malformed JSON: data after the JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testBody
			rd := readWire([]byte(tt.body), &got)
			assert.Equal(t, tt.refusal, rd.refusal)
			if tt.refusal == "" {
				assert.Equal(t, tt.want, got)
				assert.Equal(t, tt.deviations, rd.deviations)
			}
		})
	}
}

// TestStrictBodies sends bodies with a mis-cased key, an unknown key and
// wrong types, and checks what the server answers and records.
func TestStrictBodies(t *testing.T) {
	type msgPatch func(body map[string]any, msg map[string]any, base map[string]any)
	tests := []struct {
		name          string
		patch         msgPatch
		wantRet       int
		wantSent      bool
		wantViolation string
	}{
		{"as the web client sends it", func(_, _, _ map[string]any) {}, 0, true, ""},
		{"mis-cased ClientMsgID: the server reads no ClientMsgId and refuses", func(_, msg, _ map[string]any) {
			msg["ClientMsgID"] = msg["ClientMsgId"]
			delete(msg, "ClientMsgId")
		}, retParamError, false, `webwxsendmsg: body: key "Msg.ClientMsgID" is mis-cased: the server reads "ClientMsgId" and ignores this key`},
		{"mis-cased SKey: the server reads no Skey and ends the call", func(_, _, base map[string]any) {
			base["SKey"] = base["Skey"]
			delete(base, "Skey")
		}, retSessionInvalid, false, `webwxsendmsg: body: key "BaseRequest.SKey" is mis-cased: the server reads "Skey" and ignores this key`},
		{"unknown key: ignored and recorded", func(_, msg, _ map[string]any) { msg["MsgType"] = 1 },
			0, true, `webwxsendmsg: body: key "Msg.MsgType" is not a key of this body`},
		{"Uin as a string (ItChat): accepted and recorded", func(_, _, base map[string]any) { base["Uin"] = strconv.FormatInt(base["Uin"].(int64), 10) },
			0, true, "webwxsendmsg: body: key BaseRequest.Uin is a string, the web client sends a number"},
		{"Type that is not a number: unparseable", func(_, msg, _ map[string]any) { msg["Type"] = "text" },
			retParseRequest, false, `webwxsendmsg: body: key Msg.Type is "text", want an integer`},
		{"Msg as a string: unparseable", func(body, _, _ map[string]any) { body["Msg"] = "hello" },
			retParseRequest, false, "webwxsendmsg: body: key Msg is a string, want an object"},
		{"Scene missing: accepted and recorded", func(body, _, _ map[string]any) { delete(body, "Scene") },
			0, true, "webwxsendmsg: body: key Scene is missing (the web client always sends it)"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := loggedIn(t, Config{})
			id := "1700000000000" + strconv.Itoa(1000+i)
			base := map[string]any{"Uin": c.uin, "Sid": c.sid, "Skey": c.skey, "DeviceID": testDeviceID}
			msg := map[string]any{
				"Type": 1, "Content": "hi", "FromUserName": s.UserName(SelfID), "ToUserName": s.UserName("alice"),
				"LocalID": id, "ClientMsgId": id,
			}
			body := map[string]any{"BaseRequest": base, "Msg": msg, "Scene": 0}
			tt.patch(body, msg, base)
			var out map[string]any
			c.postJSON("webwxsendmsg", url.Values{"lang": {"zh_CN"}, "pass_ticket": {c.passTicket}}, body, &out)

			status, _ := out["BaseResponse"].(map[string]any)
			assert.Equal(t, float64(tt.wantRet), status["Ret"], "answer %v", out)
			assert.Contains(t, out, "MsgID", "the answer has the full shape")
			assert.Contains(t, out, "LocalID", "the answer has the full shape")
			if tt.wantSent {
				assert.Len(t, s.Sent(), 1)
				assert.NotEmpty(t, out["MsgID"])
			} else {
				assert.Empty(t, s.Sent())
			}
			if tt.wantViolation == "" {
				assert.Empty(t, s.Violations())
			} else {
				assert.Contains(t, s.Violations(), tt.wantViolation)
			}
		})
	}
}

// TestNoClientTypesOnTheWire: the simulator's own files do not import
// package wechat, so it cannot agree with a client mistake by sharing a
// struct or a constant. Tests may import it (they play the client).
func TestNoClientTypesOnTheWire(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		ast, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotEqual(t, "github.com/wxbridge/wxbridge/wechat", path, "%s imports the client's package", f)
		}
		checked++
	}
	assert.Greater(t, checked, 10)
}

// The answers' JSON keys are spelt as the reference spells them: a few
// that clients are known to trip over.
func TestAnswerKeySpelling(t *testing.T) {
	data, err := json.Marshal(&sendAnswer{MsgID: "1", LocalID: "2"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"1","LocalID":"2"}`, string(data))
	data, err = json.Marshal(wireMessage{MsgId: "5", NewMsgId: 9007199254740993})
	require.NoError(t, err)
	assert.Contains(t, string(data), `"MsgId":"5"`)
	assert.Contains(t, string(data), `"NewMsgId":9007199254740993`)
	assert.Contains(t, string(data), `"FileSize":""`)
}
