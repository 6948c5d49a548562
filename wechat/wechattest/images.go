package wechattest

import (
	"bytes"
	"crypto/md5"
	"image"
	"image/color"
	_ "image/gif" // decode GIF uploads and injections
	"image/jpeg"
	"image/png"
	"strconv"
)

// plainJPEG returns a JPEG of one colour derived from seed.
func plainJPEG(seed []byte, w, h int) []byte {
	sum := md5.Sum(seed)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c := color.RGBA{R: sum[0], G: sum[1], B: sum[2], A: 255}
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}) // writing to memory cannot fail
	return buf.Bytes()
}

// avatarLocked returns a contact's avatar: the seed's, or a generated one
// that changes with the avatar seq.
func (s *Server) avatarLocked(e *contactEntry) []byte {
	if len(e.Avatar) > 0 {
		return e.Avatar
	}
	return plainJPEG([]byte(e.ID+"/"+strconv.FormatInt(e.avatarSeq, 10)), 96, 96)
}

// thumbnail scales an image down to at most 120 pixels a side, as the
// "slave" variant of webwxgetmsgimg. Data that is not an image gets a
// generated picture.
func thumbnail(data []byte) []byte {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return plainJPEG(data, 120, 90)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return plainJPEG(data, 120, 90)
	}
	scale := max(float64(w)/120, float64(h)/120, 1)
	tw, th := max(int(float64(w)/scale), 1), max(int(float64(h)/scale), 1)
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	for y := range th {
		for x := range tw {
			dst.Set(x, y, src.At(b.Min.X+int(float64(x)*scale), b.Min.Y+int(float64(y)*scale)))
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 75})
	return buf.Bytes()
}

// imageSize returns the size of an image, or 0, 0.
func imageSize(data []byte) (int, int) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

func isGIF(data []byte) bool { return bytes.HasPrefix(data, []byte("GIF8")) }

// qrPicture draws a QR-looking picture for a uuid (three finder squares
// and a pattern derived from the uuid). It does not decode as a QR code.
func qrPicture(uuid string) []byte {
	const modules, px = 29, 6
	sum := md5.Sum([]byte(uuid))
	dark := func(x, y int) bool {
		for _, f := range [][2]int{{0, 0}, {modules - 7, 0}, {0, modules - 7}} {
			dx, dy := x-f[0], y-f[1]
			if dx >= 0 && dx < 7 && dy >= 0 && dy < 7 {
				return dx == 0 || dy == 0 || dx == 6 || dy == 6 || (dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4)
			}
		}
		bit := (x*modules + y) % 128
		return sum[bit/8]&(1<<(bit%8)) != 0
	}
	img := image.NewGray(image.Rect(0, 0, (modules+8)*px, (modules+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := range modules {
		for x := range modules {
			if !dark(x, y) {
				continue
			}
			for dy := range px {
				for dx := range px {
					img.SetGray((x+4)*px+dx, (y+4)*px+dy, color.Gray{})
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
