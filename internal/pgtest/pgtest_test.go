package pgtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"url", "postgres://u:p@127.0.0.1:5432/base?sslmode=disable", "postgres://u:p@127.0.0.1:5432/other?sslmode=disable"},
		{"postgresql url", "postgresql://u@host/base", "postgresql://u@host/other"},
		{"key=value", "host=127.0.0.1 user=u dbname=base", "host=127.0.0.1 user=u dbname=base dbname=other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := withDatabase(tt.dsn, "other")
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
