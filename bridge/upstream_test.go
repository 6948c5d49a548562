package bridge

import (
	"errors"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/bridgeconfig"
)

// TestHandlingError: only an event bridgev2 handled lets the inbox delete
// its item; one it merely queued is kept, with an error that says why.
func TestHandlingError(t *testing.T) {
	sendFailed := errors.New("homeserver answered 500")
	tests := []struct {
		name string
		res  bridgev2.EventHandlingResult
		want error
	}{
		{"handled", bridgev2.EventHandlingResultSuccess, nil},
		{"ignored as a duplicate", bridgev2.EventHandlingResultIgnored, nil},
		{"only queued", bridgev2.EventHandlingResultQueued, errQueuedNotHandled},
		{"failed with a reason", bridgev2.EventHandlingResultFailed.WithError(sendFailed), sendFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, handlingError(tt.res))
		})
	}
	t.Run("failed without a reason", func(t *testing.T) {
		assert.ErrorContains(t, handlingError(bridgev2.EventHandlingResultFailed), "did not handle")
	})
	assert.Contains(t, errQueuedNotHandled.Error(), "docs/architecture.md", "the error says where to look")
}

// TestSynchronousPortals: whatever the admin set, portals handle events
// before QueueRemoteEvent returns.
func TestSynchronousPortals(t *testing.T) {
	for _, configured := range []int{0, 64, -1} {
		cfg := &bridgeconfig.BridgeConfig{PortalEventBuffer: configured}
		log := zerolog.Nop()
		synchronousPortals(cfg, &log)
		assert.Zero(t, cfg.PortalEventBuffer, "configured %d", configured)
	}
}
