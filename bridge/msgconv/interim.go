package msgconv

import (
	"maunium.net/go/mautrix/bridgev2/database"
)

// What bridge/ still needs of the converter while Matrix → WeChat
// conversion lives there.

// SanitizeFileName is sanitizeFileName.
func SanitizeFileName(name, ext string) string { return sanitizeFileName(name, ext) }

// QuoteSnippet is quoteSnippet.
func QuoteSnippet(text string) string { return quoteSnippet(text) }

// QuotePrefix is quotePrefix.
func QuotePrefix(cl Client, replyTo *database.Message) string { return quotePrefix(cl, replyTo) }
