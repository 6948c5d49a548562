//go:build unix

package main

import "syscall"

// privateUmask makes every file the bridge creates readable and writable by
// its own user only (0600, directories 0700).
//
// The bridge's files hold secrets: the database keeps each login's Web
// WeChat session (cookies, skey, pass_ticket), so a copy of it is a logged-in
// WeChat account; config.yaml and registration.yaml hold the appservice
// tokens; the logs name contacts and chats. mxmain already writes the config
// and registration 0600 and lumberjack creates log files 0600, but SQLite
// creates the database 0644 (and gives its -wal and -shm files the database's
// mode), and lumberjack creates a log directory 0755.
//
// A umask set before main runs covers all of these, in every mode (-e, -g
// and running), before the first file exists, whatever database.uri says and
// whichever library creates the file, including ones added later. The
// alternative, creating the database file 0600 before dbutil first connects
// (in the connector's Init), would need the connector to parse mxmain's
// database URI and would leave the log directory and any other file alone.
// An existing database keeps its mode: `chmod 600 wxbridge.db*` fixes an
// install made before this.
const privateUmask = 0o077

func init() {
	syscall.Umask(privateUmask)
}
