module github.com/wxbridge/wxbridge/tools/openwechat

go 1.26.0

require (
	github.com/eatmoreapple/openwechat v1.4.10
	github.com/stretchr/testify v1.12.1
	github.com/wxbridge/wxbridge v0.0.0
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/rs/zerolog v1.35.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/wxbridge/wxbridge => ../..
