package wechat

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLimitedBody(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		limit   int64
		wantErr error
	}{
		{"below", 10, 20, nil},
		{"exactly at the limit", 20, 20, nil},
		{"one byte over", 21, 20, ErrTooLarge},
		{"far over", 1000, 20, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &limitedBody{r: io.NopCloser(bytes.NewReader(make([]byte, tt.size))), left: tt.limit}
			data, err := io.ReadAll(body)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.LessOrEqual(t, int64(len(data)), tt.limit, "never more than the limit")
			if tt.wantErr == nil {
				assert.Len(t, data, tt.size)
			}
		})
	}
}
