package wechat

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// The JS and XML answers of the login and sync endpoints come from the
// network: whatever they hold, parsing returns a value or an error that
// matches ErrUnexpectedResponse, never a panic.

func FuzzParseSyncCheck(f *testing.F) {
	for _, s := range []string{
		`window.synccheck={retcode:"0",selector:"2"}`,
		`window.synccheck={retcode:"1101",selector:"0"}`,
		`window.synccheck={retcode: 0, selector: 7}`,
		`<html>502</html>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := ParseSyncCheck(body)
		if err != nil && !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err == nil && got.Selector < 0 {
			t.Fatalf("negative selector from %q", body)
		}
	})
}

func FuzzParseLoginAnswers(f *testing.F) {
	for _, s := range []string{
		`window.QRLogin.code = 200; window.QRLogin.uuid = "4ZdlSe0vKQ==";`,
		`window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQ';`,
		`window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u==&lang=zh_CN&scan=1";`,
		`window.code=408;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if qr, err := parseJSLogin(body); err == nil {
			if qr.UUID == "" || !utf8.ValidString(qr.Payload) {
				t.Fatalf("bad QR from %q", body)
			}
		} else if !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if res, err := parsePoll(body); err == nil {
			if res.Code == PollConfirmed && res.RedirectURI == "" {
				t.Fatalf("confirmed without redirect from %q", body)
			}
		} else if !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func FuzzParseLoginPage(f *testing.F) {
	for _, s := range []string{
		`<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>s</wxsid><wxuin>1</wxuin><pass_ticket>p</pass_ticket><isgrayscale>1</isgrayscale></error>`,
		`<error><ret>1203</ret><message>为了你的帐号安全</message></error>`,
		`<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><error><ret>&b;</ret></error>`,
		`<error><ret>0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := parseLoginPage(body); err != nil && !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
