// Package msgconv converts message content between WeChat and Matrix.
//
// It holds pure functions: no client, no database, no package-level mutable
// state. Whatever needs per-login knowledge (who an "@name" is, which group
// member a Matrix user is) comes in as a resolve callback.
//
// WeChat → Matrix ([TextToMatrix]): the plain text becomes the body; the
// "@name"s that resolve to Matrix users also become pills in an HTML body and
// are listed in m.mentions.
//
// Matrix → WeChat ([TextFromMatrix]): HTML is flattened to readable plain
// text, since WeChat shows no formatting, and pills of known group members
// become WeChat mentions ("@name" followed by U+2005).
package msgconv
