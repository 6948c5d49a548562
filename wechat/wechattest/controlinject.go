package wechattest

import (
	"math"
	"net/http"
	"strconv"
)

// handleInjectMoreKinds adds the control API's routes for voice, video,
// sticker, location and link messages (see ControlHandler). Bad input is
// answered 400 with what is expected; nothing is injected then.
func (s *Server) handleInjectMoreKinds(mux *http.ServeMux) {
	mux.HandleFunc("POST /_sim/inject-voice", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ms, err := strconv.Atoi(q.Get("ms"))
		if err != nil || ms <= 0 {
			http.Error(w, "ms must be the voice note's length in milliseconds (a positive number)", http.StatusBadRequest)
			return
		}
		if data, ok := readControlMedia(w, r, "the voice note (MP3)"); ok {
			writeMsgID(w, s.InjectVoice(q.Get("chat"), q.Get("from"), data, ms))
		}
	})
	mux.HandleFunc("POST /_sim/inject-video", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		seconds, err := strconv.Atoi(q.Get("seconds"))
		if err != nil || seconds <= 0 {
			http.Error(w, "seconds must be the video's length in seconds (a positive number)", http.StatusBadRequest)
			return
		}
		if data, ok := readControlMedia(w, r, "the video (MP4)"); ok {
			writeMsgID(w, s.InjectVideo(q.Get("chat"), q.Get("from"), data, nil, seconds))
		}
	})
	mux.HandleFunc("POST /_sim/inject-emoticon", func(w http.ResponseWriter, r *http.Request) {
		if data, ok := readControlMedia(w, r, "the sticker (GIF, PNG or JPEG)"); ok {
			writeMsgID(w, s.InjectEmoticon(r.URL.Query().Get("chat"), r.URL.Query().Get("from"), data))
		}
	})
	mux.HandleFunc("POST /_sim/inject-location", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		lat, errLat := strconv.ParseFloat(q.Get("lat"), 64)
		lng, errLng := strconv.ParseFloat(q.Get("lng"), 64)
		if errLat != nil || errLng != nil || math.Abs(lat) > 90 || math.Abs(lng) > 180 {
			http.Error(w, "lat (-90 to 90) and lng (-180 to 180) must be numbers in degrees", http.StatusBadRequest)
			return
		}
		if q.Get("label") == "" {
			http.Error(w, "label (the place's name) is required", http.StatusBadRequest)
			return
		}
		writeMsgID(w, s.InjectLocation(q.Get("chat"), q.Get("from"), q.Get("label"), lat, lng))
	})
	mux.HandleFunc("POST /_sim/inject-link", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("title") == "" || q.Get("url") == "" {
			http.Error(w, "title and url are required (desc is optional)", http.StatusBadRequest)
			return
		}
		writeMsgID(w, s.InjectLink(q.Get("chat"), q.Get("from"), q.Get("title"), q.Get("desc"), q.Get("url")))
	})
}

// readControlMedia reads a media body that must not be empty; what says
// what the body should be.
func readControlMedia(w http.ResponseWriter, r *http.Request, what string) ([]byte, bool) {
	data, ok := readControlBody(w, r)
	if ok && len(data) == 0 {
		http.Error(w, "the body must be "+what, http.StatusBadRequest)
		return nil, false
	}
	return data, ok
}
