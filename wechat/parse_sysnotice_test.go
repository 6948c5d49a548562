package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSysNotice(t *testing.T) {
	c := parseOne(t, RawMessage{MsgType: MsgTypeSysNotice, Content: "a<br/>b &amp; c"})
	assert.Equal(t, &SysNotice{Text: "a\nb & c"}, c)
}
