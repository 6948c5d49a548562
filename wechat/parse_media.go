package wechat

import (
	"math"
	"time"
)

// Image is a picture (MsgType 3). Download it with its MsgID.
type Image struct {
	// Width and Height are ImgWidth and ImgHeight (often the thumbnail's),
	// or the thumbnail size in the XML.
	Width, Height int
	// Length is the size in bytes of the image (length, else hdlength).
	Length int64
	// MD5 is the image's md5 as the XML states it.
	MD5 string
}

// Voice is a voice note (MsgType 34), downloaded as MP3.
type Voice struct {
	// Duration is VoiceLength (ms), else the XML's voicelength.
	Duration time.Duration
	// Length is the size in bytes from the XML.
	Length int64
}

// Video is a video (MsgType 43) or short video (MsgType 62).
type Video struct {
	// Duration is PlayLength (s), else the XML's playlength.
	Duration time.Duration
	// Length is the size in bytes from the XML.
	Length int64
	// Width and Height are ImgWidth and ImgHeight, else the thumbnail
	// size in the XML.
	Width, Height int
}

// Emoticon is a sticker (MsgType 47, or an app message of AppMsgType 8).
type Emoticon struct {
	// MD5 identifies the sticker; it can be re-sent by md5.
	MD5 string
	// Length is the size in bytes.
	Length int64
	// CDNURL is the sticker's cdnurl, if any.
	CDNURL string
	// Store is true for paid store stickers (HasProductId, or a
	// productid in the XML), which web clients cannot show.
	Store bool
	// ProductID is the store product, if any.
	ProductID string
}

func (*Image) isContent()    {}
func (*Voice) isContent()    {}
func (*Video) isContent()    {}
func (*Emoticon) isContent() {}

// For media the XML only adds details: the media itself is downloaded by
// MsgID. So a missing or broken XML still yields the typed view, built from
// the raw fields, rather than *Unsupported; dropping a picture because its
// side XML was odd would lose the message.

func parseImage(raw *RawMessage, body string) Content {
	img := &Image{Width: raw.ImgWidth, Height: raw.ImgHeight}
	if root, err := decodePayload(body); err == nil {
		el := root.self("img")
		img.Length = parseInt(el.attr("length"))
		if img.Length == 0 {
			img.Length = parseInt(el.attr("hdlength"))
		}
		img.MD5 = el.attr("md5")
		if img.Width == 0 && img.Height == 0 {
			img.Width = int(parseInt(el.attr("cdnthumbwidth")))
			img.Height = int(parseInt(el.attr("cdnthumbheight")))
		}
	}
	return img
}

func parseVoice(raw *RawMessage, body string) Content {
	v := &Voice{Duration: durationOf(int64(raw.VoiceLength), time.Millisecond)}
	if root, err := decodePayload(body); err == nil {
		el := root.self("voicemsg")
		v.Length = parseInt(el.attr("length"))
		if v.Duration == 0 {
			v.Duration = durationOf(parseInt(el.attr("voicelength")), time.Millisecond)
		}
	}
	return v
}

func parseVideo(raw *RawMessage, body string) Content {
	v := &Video{
		Duration: durationOf(int64(raw.PlayLength), time.Second),
		Width:    raw.ImgWidth,
		Height:   raw.ImgHeight,
	}
	if root, err := decodePayload(body); err == nil {
		el := root.self("videomsg")
		v.Length = parseInt(el.attr("length"))
		if v.Duration == 0 {
			v.Duration = durationOf(parseInt(el.attr("playlength")), time.Second)
		}
		if v.Width == 0 && v.Height == 0 {
			v.Width = int(parseInt(el.attr("cdnthumbwidth")))
			v.Height = int(parseInt(el.attr("cdnthumbheight")))
		}
	}
	return v
}

// parseEmoticon reads MsgType 47. An empty Content is normal (the web
// client then only knows HasProductId).
func parseEmoticon(raw *RawMessage, body string) Content {
	e := &Emoticon{Store: raw.HasProductId == 1}
	if root, err := decodePayload(body); err == nil {
		el := root.self("emoji")
		e.MD5 = el.attr("md5")
		e.Length = parseInt(el.attr("len"))
		e.CDNURL = cleanURL(el.attr("cdnurl"))
		e.ProductID = el.attr("productid")
	}
	e.Store = e.Store || e.ProductID != ""
	return e
}

// durationOf is n units, with negative values read as 0 and huge ones
// capped instead of overflowing.
func durationOf(n int64, unit time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	if n > int64(math.MaxInt64/unit) {
		return math.MaxInt64
	}
	return time.Duration(n) * unit
}
