package scenarios

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// HotPathConfig sizes the protocol hot-path scenario.
type HotPathConfig struct {
	// Batches are the webwxsync batch sizes the in-process pipeline runs
	// at; the first is the reference, the last shows whether the cost per
	// message grows with the batch.
	Batches []int
	// GoTest also runs the packages' own benchmarks with go test -bench
	// (needs the Go toolchain and the source tree in the working dir).
	GoTest bool
}

// DefaultHotPath runs webwxsync batches of 100 messages (a busy sync),
// 1,000 (the backlog after a long absence) and 10,000 (ten times that, to
// show whether the cost per message grows with the batch), plus the
// packages' own benchmarks.
var DefaultHotPath = HotPathConfig{Batches: []int{100, 1000, 10000}, GoTest: true}

// Fixed UserNames of the synthetic batches.
const (
	hpSelf   = "@0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	hpPeer   = "@9a8b7c6d5e4f30211203f4e5d6c7b8a9"
	hpGroup  = "@@3b5d5c3712955042212316173ccd0ab8e2d1b3c3d9f4e5a6b7c8d9e0f1a2b3c4"
	hpMember = "@c4ca4238a0b923820dcc509a6f75849b"
)

var hpEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", "<br/>")

const hpLinkXML = `<?xml version="1.0"?>
<msg>
	<appmsg appid="" sdkver="0">
		<title>深度好文 | Go &amp; you</title>
		<des>A long description</des>
		<type>5</type>
		<url>http://mp.weixin.qq.com/s?__biz=MzA3&amp;mid=2650&amp;idx=1&amp;sn=abc#rd</url>
		<thumburl>http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg&amp;from=appmsg</thumburl>
	</appmsg>
	<fromusername>wxid_sender01</fromusername>
	<appinfo><version>1</version><appname></appname></appinfo>
</msg>
`

const hpImageXML = `<?xml version="1.0"?>
<msg>
	<img aeskey="0a1b2c3d4e5f" encryver="1" cdnthumbaeskey="0a1b2c3d4e5f" cdnthumburl="3057020100044b304902010002040" cdnthumblength="4567" cdnthumbheight="120" cdnthumbwidth="90" length="123456" cdnbigimgurl="3057020100044b304902010002042" md5="5d41402abc4b2a76b9719d911017c592" />
</msg>
`

// hotPathBatch is a webwxsync answer of n messages in the mix a chatty
// account sees: mostly DM and group texts with emoji, escapes and
// mentions, some links and images, as the server encodes them.
func hotPathBatch(n int) []byte {
	msgs := make([]wechat.RawMessage, n)
	for i := range msgs {
		id := int64(7123456789012345678 + i)
		m := wechat.RawMessage{
			MsgId: strconv.FormatInt(id, 10), NewMsgId: wechat.Int64(id),
			FromUserName: hpPeer, ToUserName: hpSelf, MsgType: wechat.MsgTypeText,
			Status: 3, ImgStatus: 1, CreateTime: 1_700_000_000 + int64(i),
		}
		switch i % 10 {
		case 0, 1, 2, 3:
			m.Content = fmt.Sprintf(`Good morning <span class="emoji emoji1f604"></span>! Lunch at 12? &lt;3 &amp; see you #%d<br/>Bring the <span class="emoji emoji1f4c4"></span> please`, i)
		case 4, 5, 6:
			m.FromUserName = hpGroup
			m.Content = hpMember + ":<br/>@Alice\u2005@所有人\u2005今晚八点开会，记得带电脑 <span class=\"emoji emoji1f44d\"></span> " + strconv.Itoa(i)
		case 7:
			m.FromUserName, m.ToUserName = hpSelf, hpPeer
			m.Content = "sent from my phone " + strconv.Itoa(i)
		case 8:
			m.FromUserName = hpGroup
			m.MsgType, m.AppMsgType = wechat.MsgTypeApp, wechat.AppMsgTypeURL
			m.FileName = "深度好文 | Go &amp; you"
			m.Url = "http://mp.weixin.qq.com/s?__biz=MzA3&amp;mid=2650&amp;idx=1&amp;sn=abc#rd"
			m.Content = hpMember + ":<br/>" + hpEscaper.Replace(hpLinkXML)
		case 9:
			m.MsgType = wechat.MsgTypeImage
			m.ImgWidth, m.ImgHeight = 90, 120
			m.Content = hpEscaper.Replace(hpImageXML)
		}
		msgs[i] = m
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(&wechat.SyncResponse{
		AddMsgCount: n, AddMsgList: msgs,
		SyncKey: wechat.SyncKey{Count: 1, List: []wechat.SyncKeyItem{{Key: 1, Val: 700000001}}},
	})
	return buf.Bytes()
}

// hotPathPipeline is what the bridge does with one webwxsync answer, minus
// the network and the databases: decode; parse each message; encode it for
// the inbox; decode and parse it again when the inbox drains; convert it to
// Matrix content and encode that for the homeserver.
func hotPathPipeline(body []byte) error {
	var resp wechat.SyncResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return err
	}
	mention := func(name string) (msgconv.MentionTarget, bool) {
		return msgconv.MentionTarget{UserID: "@wechat_abc:localhost", DisplayName: name}, name == "Alice"
	}
	for i := range resp.AddMsgList {
		m := wechat.ParseMessage(&resp.AddMsgList[i], hpSelf)
		stored, err := json.Marshal(m.Raw)
		if err != nil {
			return err
		}
		var raw wechat.RawMessage
		if err = json.Unmarshal(stored, &raw); err != nil {
			return err
		}
		m = wechat.ParseMessage(&raw, hpSelf)
		var content any
		switch c := m.Content.(type) {
		case *wechat.Text:
			var resolve func(string) (msgconv.MentionTarget, bool)
			if m.IsGroup && len(c.Mentions) > 0 {
				resolve = mention
			}
			content = msgconv.TextToMatrix(c.Text, resolve)
		case *wechat.Quote:
			content = msgconv.QuoteBlock(c)
		default:
			content = msgconv.ContentToMatrix(c)
		}
		if _, err = json.Marshal(content); err != nil {
			return err
		}
	}
	return nil
}

// hotPathDecode is the baseline: only decoding the answer, which any
// client of webwxsync pays.
func hotPathDecode(body []byte) error {
	var resp wechat.SyncResponse
	return json.Unmarshal(body, &resp)
}

// perMessage benchmarks fn over a batch of n and returns ns and allocs
// per message.
func perMessage(n int, body []byte, fn func([]byte) error) (nsPerMsg, allocsPerMsg float64, err error) {
	var fnErr error
	r := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := fn(body); err != nil {
				fnErr = err
				b.FailNow()
			}
		}
	})
	if fnErr != nil {
		return 0, 0, fnErr
	}
	if r.N == 0 {
		return 0, 0, fmt.Errorf("benchmark did not run")
	}
	return float64(r.NsPerOp()) / float64(n), float64(r.AllocsPerOp()) / float64(n), nil
}

// RunHotPath benchmarks the message hot path in this process (decode,
// parse, inbox encoding, conversion) at growing batch sizes against
// decoding alone, and, with GoTest, runs the packages' own benchmarks.
func RunHotPath(ctx context.Context, opts Options, cfg HotPathConfig) (*Result, error) {
	res := begin("protocol hot path", fmt.Sprintf("webwxsync answers of %v messages (40%% DM texts, 30%% group texts with mentions, 10%% self-sent, 10%% links, 10%% images), in this process, GOMAXPROCS=%d", cfg.Batches, runtime.GOMAXPROCS(0)))
	type point struct {
		n                         int
		ns, allocs, baseNs, baseA float64
	}
	var points []point
	for _, n := range cfg.Batches {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		opts.progress("hot path: batches of %d", n)
		body := hotPathBatch(n)
		if err := hotPathPipeline(body); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		ns, allocs, err := perMessage(n, body, hotPathPipeline)
		if err != nil {
			return nil, err
		}
		bns, ballocs, err := perMessage(n, body, hotPathDecode)
		if err != nil {
			return nil, err
		}
		points = append(points, point{n, ns, allocs, bns, ballocs})
	}
	for _, p := range points {
		res.add(Figure{
			Metric:   fmt.Sprintf("decode+parse+inbox+convert, batch of %d", p.n),
			Bridge:   fmt.Sprintf("%.1f µs, %.0f allocs per message", p.ns/1000, p.allocs),
			Baseline: fmt.Sprintf("%.1f µs, %.0f allocs (decode only)", p.baseNs/1000, p.baseA),
			Compare:  fmt.Sprintf("%.1f × baseline time", p.ns/p.baseNs),
			Target:   "allocs per message reported",
			Verdict:  Info,
		})
		res.raw(fmt.Sprintf("ns_per_msg_%d", p.n), p.ns)
		res.raw(fmt.Sprintf("allocs_per_msg_%d", p.n), p.allocs)
	}
	if len(points) > 1 {
		first, last := points[0], points[len(points)-1]
		growth := last.ns / first.ns
		allocGrowth := last.allocs / first.allocs
		res.add(Figure{
			Metric:   fmt.Sprintf("cost per message, batch of %d vs %d", last.n, first.n),
			Bridge:   fmt.Sprintf("%.2f × time, %.2f × allocs", growth, allocGrowth),
			Baseline: fmt.Sprintf("%.2f × time (decode only)", last.baseNs/first.baseNs),
			Compare:  fmt.Sprintf("%.0f× more messages", float64(last.n)/float64(first.n)),
			Target:   "no quadratic paths (≈ 1 ×)",
			Verdict:  verdict(growth < 2 && allocGrowth < 1.5),
		})
	}
	res.note("the pipeline is what the bridge does per webwxsync answer without network or databases: json decode, wechat.ParseMessage, the inbox's JSON encoding and its decoding when the inbox drains, ParseMessage again, msgconv conversion and the JSON encoding of the Matrix content; bridgev2's own work per event (database rows, the send) comes on top and is in the end-to-end scenarios")
	if cfg.GoTest {
		opts.progress("hot path: go test -bench")
		lines, err := goTestBench(ctx)
		if err != nil {
			res.note("go test -bench failed: " + err.Error())
		}
		for _, l := range lines {
			res.note("`" + l + "`")
		}
	}
	return res.end(), nil
}

var benchLine = regexp.MustCompile(`^Benchmark\S+\s+\d+\s+.*ns/op`)

// goTestBench runs the wechat and msgconv benchmarks and returns their
// result lines.
func goTestBench(ctx context.Context) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-tags", "goolm", "-run", "^$",
		"-bench", "DecodeAndParseSync|TextToMatrix|TextFromMatrix", "-benchmem", "-benchtime", "1s",
		"./wechat/", "./bridge/msgconv/")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := sc.Text(); benchLine.MatchString(l) {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
	}
	if err != nil {
		return lines, fmt.Errorf("%w: %s", err, tail(string(out), 5))
	}
	return lines, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
