package msgconv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
)

func TestLocationText(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		geo     string
		want    string
		wantErr bool
	}{
		{"with uncertainty", "Big Ben", "geo:51.5008,-0.1247;u=35",
			"📍 Big Ben\nhttps://www.openstreetmap.org/?mlat=51.5008&mlon=-0.1247#map=16/51.5008/-0.1247", false},
		{"with altitude, upper case scheme", "Summit", "GEO:27.9881,86.925,8848",
			"📍 Summit\nhttps://www.openstreetmap.org/?mlat=27.9881&mlon=86.925#map=16/27.9881/86.925", false},
		{"Element's body repeats the URI", "Location geo:1.5,2 at 2024-05-01T10:00:00Z", "geo:1.5,2",
			"📍 Location\nhttps://www.openstreetmap.org/?mlat=1.5&mlon=2#map=16/1.5/2", false},
		{"empty body", "", "geo:0,0", "📍 Location\nhttps://www.openstreetmap.org/?mlat=0&mlon=0#map=16/0/0", false},
		{"no scheme", "x", "51.5,-0.12", "", true},
		{"one coordinate", "x", "geo:51.5", "", true},
		{"not numbers", "x", "geo:north,west", "", true},
		{"latitude out of range", "x", "geo:91,0", "", true},
		{"longitude out of range", "x", "geo:0,-181", "", true},
		{"infinite", "x", "geo:Inf,0", "", true},
		{"NaN", "x", "geo:0,NaN", "", true},
		{"empty", "x", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := locationText(tt.body, tt.geo)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidLocation)
				assert.Equal(t, event.MessageStatusUnsupported, bridgev2.WrapErrorInStatus(err).ErrorReason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
