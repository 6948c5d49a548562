package wechattest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Random values come from crypto/rand, which needs no state of our own.

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return b
}

func randomHex(chars int) string {
	return hex.EncodeToString(randomBytes((chars + 1) / 2))[:chars]
}

// randomInt63n returns a number in [0, n).
func randomInt63n(n int64) int64 {
	v := int64(binary.BigEndian.Uint64(randomBytes(8)) >> 1)
	return v % n
}

func randomDigits(n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(byte('0' + randomInt63n(10)))
	}
	return sb.String()
}

const urlSafeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func randomFrom(alphabet string, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(alphabet[randomInt63n(int64(len(alphabet)))])
	}
	return sb.String()
}

// randomTicket returns standard base64 (with '+', '/' and '='), so that a
// client that forgets to URL-escape it fails, as on the real server.
func randomTicket(n int) string {
	s := []byte(base64.StdEncoding.EncodeToString(randomBytes(n)))
	s[3], s[7] = '+', '/'
	return string(s)
}

func newUUID() string         { return randomFrom(urlSafeAlphabet, 10) + "==" }
func newSKey() string         { return "@crypt_" + randomHex(8) + "_" + randomHex(32) }
func newMediaID() string      { return "@crypt_" + randomHex(8) + "_" + randomHex(96) }
func newUserName() string     { return "@" + randomHex(32) }
func newSelfUserName() string { return "@" + randomHex(64) }
func newGroupUserName() string {
	return "@@" + randomHex(64)
}
