package msgconv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{1, "1 byte"},
		{1000, "1000 bytes"},
		{1 << 10, "1 KiB"},
		{1536, "1.5 KiB"},
		{100 << 20, "100 MiB"},
		{100_000_000, "95.4 MiB"},
		{3 << 29, "1.5 GiB"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, msgconv.FormatSize(tt.n), tt.n)
	}
}
