// Command wxbridge is a Matrix↔WeChat puppeting bridge.
package main

import (
	"maunium.net/go/mautrix/bridgev2/matrix/mxmain"

	"github.com/wxbridge/wxbridge/bridge"
)

// Set by -ldflags "-X main.Tag=… -X main.Commit=… -X 'main.BuildTime=…'".
var (
	Tag       = "unknown"
	Commit    = "unknown"
	BuildTime = "unknown"
)

var m = mxmain.BridgeMain{
	Name:        "wxbridge",
	Description: "A Matrix-WeChat puppeting bridge",
	URL:         "https://github.com/wxbridge/wxbridge",
	Version:     "0.1.0",
	Connector:   &bridge.WeChatConnector{},
}

func main() {
	m.InitVersion(Tag, Commit, BuildTime)
	m.Run()
}
