package msgconv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// ErrInvalidLocation is the status of a location without coordinates.
var ErrInvalidLocation = bridgev2.WrapErrorInStatus(errors.New("the location has no valid geo: URI (geo:latitude,longitude), so it was not sent to WeChat")).
	WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported).
	WithStatus(event.MessageStatusFail)

// sendLocation sends a location as text with a map link: Web WeChat cannot
// send location messages.
func sendLocation(ctx context.Context, cl Client, to string, msg *bridgev2.MatrixMessage) (*wechat.SendResult, string, error) {
	text, err := locationText(msg.Content.Body, msg.Content.GeoURI)
	if err != nil {
		return nil, "", err
	}
	res, err := cl.SendText(ctx, to, text, nil)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to send a location to WeChat")
		return nil, "", SendError(err)
	}
	return res, text, nil
}

// locationText is a location as WeChat text: a pin, the label and an
// OpenStreetMap link. Element's bodies ("Location geo:… at <time>") repeat
// the URI; those are labelled just "Location".
func locationText(body, geoURI string) (string, error) {
	lat, lng, err := parseGeoURI(geoURI)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidLocation, err)
	}
	label := strings.TrimSpace(body)
	if label == "" || strings.Contains(strings.ToLower(label), "geo:") {
		label = "Location"
	}
	la, lo := strconv.FormatFloat(lat, 'f', -1, 64), strconv.FormatFloat(lng, 'f', -1, 64)
	return "📍 " + label + "\nhttps://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=16/" + la + "/" + lo, nil
}

// parseGeoURI reads the coordinates of an RFC 5870 geo URI
// ("geo:lat,lng[,alt][;u=…]").
func parseGeoURI(uri string) (lat, lng float64, err error) {
	uri = strings.TrimSpace(uri)
	if len(uri) < 4 || !strings.EqualFold(uri[:4], "geo:") {
		return 0, 0, fmt.Errorf("%q does not start with geo:", uri)
	}
	coords, _, _ := strings.Cut(uri[4:], ";")
	parts := strings.Split(coords, ",")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, 0, fmt.Errorf("%q is not latitude,longitude", coords)
	}
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	lng, errLng := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	switch {
	case errLat != nil || errLng != nil:
		return 0, 0, fmt.Errorf("%q is not latitude,longitude", coords)
	case math.IsNaN(lat) || lat < -90 || lat > 90:
		return 0, 0, fmt.Errorf("latitude %s is not between -90 and 90", parts[0])
	case math.IsNaN(lng) || lng < -180 || lng > 180:
		return 0, 0, fmt.Errorf("longitude %s is not between -180 and 180", parts[1])
	}
	return lat, lng, nil
}
