package msgconv

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSanitizeFileName(t *testing.T) {
	long := strings.Repeat("長", 100) // 300 bytes
	tests := []struct {
		name string
		in   string
		ext  string
		want string
	}{
		{"plain", "report Q3.txt", "", "report Q3.txt"},
		{"unicode kept", "报告 📄.pdf", "", "报告 📄.pdf"},
		{"emoji with joiners kept", "👨‍👩‍👧.png", "", "👨‍👩‍👧.png"},
		{"unix path", "../../etc/passwd", "", "passwd"},
		{"windows path", `C:\Users\bob\..\secret.doc`, "", "secret.doc"},
		{"mixed separators", `..\secret/re` + "\n" + `port.pdf`, "", "report.pdf"},
		{"trailing separator", "photos/", "", "photos"},
		{"only separators", `/\/`, ".bin", "file.bin"},
		{"dot dot", "..", "", "file"},
		{"dot", ".", ".jpg", "file.jpg"},
		{"right-to-left override", "../../etc/passwd\u202e.exe", "", "passwd.exe"},
		{"override hides the real extension", "invoice\u202Efdp.exe", "", "invoicefdp.exe"},
		{"every bidi control", "a\u202Ab\u202Bc\u202Cd\u202De\u202Ef\u2066g\u2067h\u2068i\u2069j\u200E\u200F\u061C.txt", "", "abcdefghij.txt"},
		{"NUL and control characters", "a\x00b\x07c\x1bd\x7f\u0085.txt", "", "abcd.txt"},
		{"line breaks", "line\r\none\u2028two\u2029.txt", "", "lineonetwo.txt"},
		{"byte order mark", "\uFEFFnotes.txt", "", "notes.txt"},
		{"hidden file", ".bashrc", "", "file.bashrc"},
		{"only an extension", ".pdf", ".pdf", "file.pdf"},
		{"leading dots and spaces", " . ..hidden.txt", "", "hidden.txt"},
		{"trailing spaces", "name.txt  ", "", "name.txt"},
		{"empty", "", "", "file"},
		{"empty with extension", "", ".jpg", "file.jpg"},
		{"only controls", "\x00\u202e\n", ".png", "file.png"},
		{"extension added", "Voice message", ".ogg", "Voice message.ogg"},
		{"extension kept", "photo.png", ".jpg", "photo.png"},
		{"dotted words are no extension", "v1.2 notes", ".txt", "v1.2 notes.txt"},
		{"hostile extension dropped", "x", "./../evil", "x"},
		{"extension with controls", "x", ".p\u202edf", "x.pdf"},
		{"extension with a no-break space dropped", "0", "0\u00a00", "0"},
		{"extension with an ideographic space dropped", "x", ".p\u3000df", "x"},
		{"overlong extension dropped", "x", "." + strings.Repeat("e", 40), "x"},
		{"invalid UTF-8, one mark per run", "bad\xff\xfe.txt", "", "bad\uFFFD.txt"},
		{"long name keeps its extension", long + ".pdf", "", strings.Repeat("長", 65) + ".pdf"},
		{"long name with an added extension", long, ".jpg", strings.Repeat("長", 65) + ".jpg"},
		{"long name without extension", long, "", strings.Repeat("長", 66)},
		{"long name with a long suffix", strings.Repeat("a", 190) + "." + strings.Repeat("b", 30), "",
			strings.Repeat("a", 190) + "." + strings.Repeat("b", 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitizeFileName(tt.in, tt.ext)
			assert.Equal(t, tt.want, got)
			assertSafeFileName(t, got)
			assert.Equal(t, got, sanitizeFileName(got, tt.ext), "sanitising is idempotent")
		})
	}
}

// assertSafeFileName checks the properties every sanitised name has.
func assertSafeFileName(t *testing.T, name string) {
	t.Helper()
	assert.NotEmpty(t, name)
	assert.LessOrEqual(t, len(name), maxFileNameLen)
	assert.True(t, utf8.ValidString(name), "valid UTF-8: %q", name)
	assert.NotContains(t, name, "/")
	assert.NotContains(t, name, `\`)
	assert.False(t, strings.HasPrefix(name, ".") || strings.HasPrefix(name, " "), "no leading dot or space: %q", name)
	for _, r := range name {
		assert.False(t, fileNameRune(r) < 0, "%q carries %U", name, r)
	}
}

func FuzzSanitizeFileName(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../etc/passwd\u202e.exe", ".bashrc", "", `a\b/c`, strings.Repeat("長", 100) + ".txt", "\xff."} {
		f.Add(s, ".jpg")
	}
	f.Add("0", "0\u00a00")
	f.Fuzz(func(t *testing.T, name, ext string) {
		got := sanitizeFileName(name, ext)
		assertSafeFileName(t, got)
		if again := sanitizeFileName(got, ext); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", name, got, again)
		}
	})
}
