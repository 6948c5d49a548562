package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPassTicketParam(t *testing.T) {
	tests := []struct {
		name, ticket, wantURL, wantForm string
	}{
		{"as the real server gives it", "Jx6vDgnA%2FPSBW%2BpyZ5n%3D", "Jx6vDgnA%2FPSBW%2BpyZ5n%3D", "Jx6vDgnA/PSBW+pyZ5n="},
		{"nothing to escape", "abcDEF012-_.~", "abcDEF012-_.~", "abcDEF012-_.~"},
		{"raw base64 (a session stored earlier)", "ab+c/d=", "ab%2Bc%2Fd%3D", "ab+c/d="},
		{"an escape that is not one", "ab%zz", "ab%25zz", "ab%zz"},
		{"characters that would change the query", "a&b=c#d", "a%26b%3Dc%23d", "a&b=c#d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantURL, passTicketParam(tt.ticket))
			assert.Equal(t, tt.wantForm, formPassTicket(tt.ticket))
		})
	}
	assert.Equal(t, "https://h/p?a=1&pass_ticket=x%2By", withPassTicket("https://h/p?a=1", "x%2By"))
	assert.Equal(t, "https://h/p?pass_ticket=x%2By", withPassTicket("https://h/p", "x%2By"))
}
