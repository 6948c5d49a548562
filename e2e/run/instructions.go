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

Phone (WeChat simulator): %s/_sim/phone/
  Open it in a browser: scan and confirm the login, write as any contact or
  group member, send images and files, recall messages, see what the bridge
  sent, end the session or break an endpoint.
  For scripts, the control API is under %s/_sim/, for example:
    curl -X POST %s/_sim/confirm
    curl -X POST '%s/_sim/inject-text?chat=alice&text=hello'

The bridge bot
  Start a direct chat with %s and send: login
  (in other rooms: !wx login). The bot posts a QR code.

The simulator starts fresh at every run: after a restart the bot says the
WeChat session ended; send login again and confirm it on the phone page.
(make run RUN_FLAGS=-auto-confirm confirms every login by itself.)

Logs: %s, %s
`,
		s.Dir, stack.Domain,
		s.HS.URL, s.UserID(user), password, s.HS.URL,
		sim, sim, sim, sim,
		s.Bridge.Bot,
		s.Bridge.LogPath, s.HS.LogPath)
}
