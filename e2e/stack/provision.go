package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"maunium.net/go/mautrix/bridgev2/status"
)

// LoginState is one login as the provisioning API's whoami shows it: what
// a client such as Beeper or a bridge manager displays.
type LoginState struct {
	ID    string             `json:"id"`
	Name  string             `json:"name"`
	State status.BridgeState `json:"state"`
}

// Logins asks the bridge's provisioning API (GET
// /_matrix/provision/v3/whoami, authenticated with the user's own Matrix
// access token) for the user's logins and their latest bridge states.
func (b *Bridge) Logins(ctx context.Context, u *User) ([]LoginState, error) {
	q := url.Values{"user_id": {u.ID.String()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL+"/_matrix/provision/v3/whoami?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+u.Client.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("provisioning whoami: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("provisioning whoami: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("provisioning whoami: %s: %s", resp.Status, body)
	}
	var who struct {
		Logins []LoginState `json:"logins"`
	}
	if err = json.Unmarshal(body, &who); err != nil {
		return nil, fmt.Errorf("provisioning whoami: %w", err)
	}
	return who.Logins, nil
}
