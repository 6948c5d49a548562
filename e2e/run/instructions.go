package main

import (
	"fmt"
	"io"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// printInstructions tells the person at the terminal how to use the stack.
func printInstructions(w io.Writer, s *stack.Stack, user, password string) {
	sim := s.Sims.URL
	fmt.Fprintf(w, `
wxbridge is running. Ctrl-C stops everything; the data stays in %s.

Matrix homeserver (Dendrite, server name %q)
  URL:      %s
  user:     %s
  password: %s
  Sign in with any Matrix client, e.g. Element: "Sign in" → "Edit" the homeserver → %s

The bridge bot
  Start a direct chat with %s and send: login
  (in other rooms: !wx login). The bot posts a QR code.

Play the phone with the WeChat simulator at %s
  scan and confirm the QR code:  curl -X POST %s/_sim/confirm
  a message from alice:          curl -X POST '%s/_sim/inject-text?chat=alice&text=hello'
  a message in the family group: curl -X POST '%s/_sim/inject-text?chat=family&from=erin&text=hi+all'
  one you sent from the phone:   curl -X POST '%s/_sim/inject-text?chat=alice&from=self&text=from+my+phone'
  what the bridge sent WeChat:   curl %s/_sim/sent
  the session ends (re-login):   curl -X POST '%s/_sim/end-session?ret=1101'
  account and contacts:          curl %s/_sim/state

The simulator starts fresh at every run: after a restart the bot says the
WeChat session ended; send login again and confirm it with the curl above.
(make run RUN_FLAGS=-auto-confirm confirms every login by itself.)

Logs: %s, %s
`,
		s.Dir, stack.Domain,
		s.HS.URL, s.UserID(user), password, s.HS.URL,
		s.Bridge.Bot,
		sim, sim, sim, sim, sim, sim, sim, sim,
		s.Bridge.LogPath, s.HS.LogPath)
}
