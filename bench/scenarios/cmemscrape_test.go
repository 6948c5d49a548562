package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCMem(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    cMem
		wantErr bool
	}{
		{"all three", `# HELP wxbridge_sqlite_memory_bytes Memory SQLite has allocated.
# TYPE wxbridge_sqlite_memory_bytes gauge
wxbridge_sqlite_memory_bytes 235360
wxbridge_c_heap_bytes{state="free"} 2.318944e+06
wxbridge_c_heap_bytes{state="in_use"} 560544
go_goroutines 21
`, cMem{sqlite: 235360, heapInUse: 560544, heapFree: 2318944}, false},
		{"a bridge built without cgo reports none", "go_goroutines 21\n", cMem{-1, -1, -1}, false},
		{"a broken value", "wxbridge_sqlite_memory_bytes many\n", cMem{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCMem(strings.NewReader(tt.text))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
