package msgconv

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFileNameLen bounds a file name in bytes. Common file systems take 255;
// the rest is room for what a client adds (" (1)", a temporary suffix).
const maxFileNameLen = 200

// maxExtLen is the longest extension that is kept when a name is cut.
const maxExtLen = 16

// sanitizeFileName makes a file name that came from the other side safe to
// show and to save: only the last path segment is kept (both / and \
// separate), control characters, line breaks and bidirectional controls
// (which can make "evil\u202Etxt.exe" read as "evilexe.txt") are dropped,
// invalid UTF-8 becomes U+FFFD, and leading dots and spaces go, so that
// nothing is hidden or relative. A name that is only an extension (".pdf")
// becomes "file.pdf". ext (".jpg", or "") is appended when the name has no
// extension; a name that is empty afterwards is "file" plus ext. Names
// longer than maxFileNameLen bytes are cut at a character boundary, keeping
// the extension.
func sanitizeFileName(name, ext string) string {
	name = strings.Map(fileNameRune, strings.ToValidUTF8(name, "\uFFFD"))
	if i := strings.LastIndexAny(strings.TrimRight(name, `/\`), `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimRight(name, `/\`)
	trimmed := strings.TrimLeftFunc(name, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if onlyExt := "file." + trimmed; strings.Contains(name[:len(name)-len(trimmed)], ".") &&
		!strings.Contains(trimmed, ".") && fileExt(onlyExt) != "" {
		trimmed = onlyExt
	}
	name = strings.TrimRightFunc(trimmed, unicode.IsSpace)

	ext = cleanExt(ext)
	if fileExt(name) == "" {
		name += ext
	}
	if name == "" || name == ext {
		name = "file" + ext
	}
	if len(name) <= maxFileNameLen {
		return name
	}
	tail := fileExt(name)
	stem := truncateUTF8(name[:len(name)-len(tail)], maxFileNameLen-len(tail))
	return strings.TrimRightFunc(stem, unicode.IsSpace) + tail
}

// fileNameRune drops the characters a file name must not carry.
func fileNameRune(r rune) rune {
	switch {
	case unicode.IsControl(r), isBidiControl(r),
		r == '\u2028', r == '\u2029', // line and paragraph separators
		r == '\uFEFF': // byte order mark
		return -1
	}
	return r
}

// isBidiControl reports whether r is an explicit bidirectional formatting
// character: the marks, embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return r == '\u061C' || r == '\u200E' || r == '\u200F' ||
		r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// fileExt is the extension of a file name (".pdf"), or "" when it has none
// or when what follows the last dot is too long or holds a space to be an
// extension.
func fileExt(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 || len(name)-i > maxExtLen {
		return ""
	}
	if strings.ContainsFunc(name[i+1:], func(r rune) bool { return unicode.IsSpace(r) || r == '.' }) {
		return ""
	}
	return name[i:]
}

// cleanExt makes ext a usable extension: ".xyz" without characters a name
// must not carry, or "". It keeps only what fileExt reads back as the
// extension, so a name once given ext is never given it again (an extension
// holding a no-break space would otherwise be appended on every pass).
func cleanExt(ext string) string {
	ext = "." + strings.TrimLeft(sanitizeRunes(ext), ".")
	if strings.ContainsAny(ext, `/\`) || fileExt("file"+ext) != ext {
		return ""
	}
	return ext
}

func sanitizeRunes(s string) string {
	return strings.TrimSpace(strings.Map(fileNameRune, strings.ToValidUTF8(s, "")))
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
