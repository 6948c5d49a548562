package wechat

import "strings"

// mentionEnd is U+2005 FOUR-PER-EM SPACE, which WeChat clients put after
// the name of a mentioned group member.
const mentionEnd = '\u2005'

// Mention is one "@name" in a formatted text.
type Mention struct {
	// Name is the mentioned display name, without "@" and terminator.
	Name string
	// Start is the byte offset of the "@".
	Start int
	// End is the byte offset just past the name; the terminator (U+2005 or
	// a space), if any, starts there.
	End int
}

// FindMentions returns every "@name" in a formatted text (see FormatText),
// in order. A name runs from "@" to U+2005, which WeChat puts after a name
// picked from the member list, so such names may contain spaces. Without a
// U+2005 before the next "@" or line break, the name ends at the first
// space or at the end of the line; such a mention must not follow a letter
// or digit, so that e-mail addresses are not taken for mentions. The work
// is linear in len(text).
func FindMentions(text string) []Mention {
	var out []Mention
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		seg := text[at+1:]
		if k := strings.IndexAny(seg, "@\n"); k >= 0 {
			seg = seg[:k]
		}
		if k := strings.IndexRune(seg, mentionEnd); k >= 0 {
			if name := seg[:k]; name != "" && name[0] != ' ' && name[0] != '\t' {
				out = append(out, Mention{Name: name, Start: at, End: at + 1 + k})
			}
			i = at + 1 + k + len(string(mentionEnd))
			continue
		}
		if at > 0 && isAlnum(text[at-1]) {
			continue
		}
		if k := strings.IndexAny(seg, " \t\r"); k >= 0 {
			seg = seg[:k]
		}
		if seg != "" {
			out = append(out, Mention{Name: seg, Start: at, End: at + 1 + len(seg)})
		}
	}
	return out
}

// ParseMentions returns the distinct names mentioned in a formatted text,
// in order of first appearance (see FindMentions).
func ParseMentions(text string) []string {
	found := FindMentions(text)
	if len(found) == 0 {
		return nil
	}
	names := make([]string, 0, len(found))
	seen := make(map[string]struct{}, len(found))
	for _, m := range found {
		if _, dup := seen[m.Name]; dup {
			continue
		}
		seen[m.Name] = struct{}{}
		names = append(names, m.Name)
	}
	return names
}
