package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreationHold: group messages wait while any creation is under way,
// and go on when the last one ends (or their context does).
func TestCreationHold(t *testing.T) {
	// released reports whether wait returns within a short time.
	released := func(h *creationHold) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		return h.wait(ctx) == nil
	}
	tests := []struct {
		name  string
		begin int // creations started
		end   int // of them ended (each end called twice: only once counts)
		want  bool
	}{
		{name: "nothing under way", want: true},
		{name: "one under way", begin: 1, want: false},
		{name: "one ended", begin: 1, end: 1, want: true},
		{name: "one of two ended", begin: 2, end: 1, want: false},
		{name: "both ended", begin: 2, end: 2, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h creationHold
			ends := make([]func(), tt.begin)
			for i := range ends {
				ends[i] = h.begin()
			}
			for _, end := range ends[:tt.end] {
				end()
				end()
			}
			assert.Equal(t, tt.want, released(&h))
		})
	}

	t.Run("a waiting message goes on when the creation ends", func(t *testing.T) {
		var h creationHold
		end := h.begin()
		done := make(chan error, 1)
		go func() { done <- h.wait(context.Background()) }()
		select {
		case <-done:
			t.Fatal("wait returned while the creation was under way")
		case <-time.After(20 * time.Millisecond):
		}
		end()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(time.Second):
			t.Fatal("wait did not return after the creation ended")
		}
		assert.True(t, released(&h), "a later creation starts from nothing held")
	})
}
