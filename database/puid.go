package database

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
)

// PUIDLen is the length of a PUID: 10 random bytes in lowercase base32
// (80 bits), which is safe in URLs and in Matrix user ID localparts.
const PUIDLen = 16

var puidEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewPUID mints a fresh random PUID.
func NewPUID() (string, error) {
	var b [PUIDLen * 5 / 8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("database: minting PUID: %w", err)
	}
	return puidEncoding.EncodeToString(b[:]), nil
}

// ValidPUID reports whether s has the shape of a PUID minted by NewPUID.
func ValidPUID(s string) bool {
	if len(s) != PUIDLen {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '2' || r > '7')
	}) < 0
}

func checkPUID(puid string) error {
	if !ValidPUID(puid) {
		return fmt.Errorf("%w: %s", ErrInvalidPUID, quoteForError(puid))
	}
	return nil
}
