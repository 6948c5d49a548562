package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"maunium.net/go/mautrix/bridgev2/status"
	"maunium.net/go/mautrix/id"
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
	var who struct {
		Logins []LoginState `json:"logins"`
	}
	err := Provision(ctx, http.DefaultClient, b.URL, u.Client.AccessToken, u.ID, http.MethodGet, "/_matrix/provision/v3/whoami", nil, &who)
	return who.Logins, err
}

// Provision makes a request to the provisioning API of the bridge at base
// (its appservice URL) on behalf of user, authenticated with token: the
// user's Matrix access token, or the provisioning shared secret. in, when
// not nil, is sent as JSON; a 200 answer is decoded into out when out is
// not nil, any other status is an error that quotes the answer.
func Provision(ctx context.Context, hc *http.Client, base, token string, user id.UserID, method, path string, in, out any) error {
	var body io.Reader = http.NoBody
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	u := base + path + "?" + url.Values{"user_id": {user.String()}}.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		if err = json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}
