package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProfileTop(t *testing.T) {
	out := `File: dendrite
Type: cpu
Duration: 30.12s, Total samples = 27.60s (91.63%)
Showing nodes accounting for 12.10s, 43.84% of 27.60s total
      flat  flat%   sum%        cum   cum%
     6.20s 22.46% 22.46%      6.40s 23.19%  runtime.cgocall
     0.90s  3.26% 25.72%      0.90s  3.26%  syscall.Syscall6 (inline)
`
	tbl, err := parseProfileTop(out, "Dendrite, bridge phase")
	require.NoError(t, err)
	assert.Equal(t, "Dendrite, bridge phase (30.12s, Total samples = 27.60s (91.63%))", tbl.Title)
	assert.Equal(t, [][]string{
		{"6.20s", "22.46%", "23.19%", "runtime.cgocall"},
		{"0.90s", "3.26%", "3.26%", "syscall.Syscall6 (inline)"},
	}, tbl.Rows)

	_, err = parseProfileTop("File: x\nType: cpu\n", "empty")
	assert.Error(t, err, "a profile without samples is not a table")
}
