"""A Matrix client with end-to-end encryption, driven over stdin/stdout.

The end-to-end tests (e2e/stack/nio.go) run this with Debian's python3 and
its matrix-nio and python-olm packages (apt-get install python3-matrix-nio
python3-olm), so that a client nobody in this project wrote reads and writes
the bridge's encrypted rooms.

Each line on stdin is a JSON request {"id": n, "cmd": "...", ...}; each
answer is one JSON line {"id": n, "ok": true, "result": ...} or
{"id": n, "ok": false, "error": "..."} on stdout. Requests run concurrently,
so a slow one does not hold up the others. Logs go to stderr. The process
ends when stdin closes.

Commands:
  login      homeserver, user, password, store_dir, device_name
             -> user_id, device_id; starts the sync loop, answers after the
             first sync, and from then on joins every invite.
  wait_room  room_id, timeout -> encrypted, algorithm, members
  send       room_id, content (an m.room.message content) -> event_id
  send_image room_id, data (base64), mimetype, name, width, height
             -> event_id, file (the content's "file": url, key, iv, hashes)
  redact     room_id, event_id, reason -> event_id
  read       room_id, event_id: moves the read receipt and marker there
  events     room_id -> every timeline event the client saw in the room,
             oldest first: event_id, sender, type, encrypted (it came
             encrypted and was decrypted), undecryptable, content, redacts
  download   file (url, key, iv, hashes) -> data (base64), decrypted
  devices    user_id -> the device IDs the client knows for the user
"""

import asyncio
import base64
import io
import json
import logging
import sys

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    LoginResponse,
    MegolmEvent,
    RoomSendResponse,
    UploadResponse,
)
from nio.crypto.attachments import decrypt_attachment
from nio.events.room_events import Event

log = logging.getLogger("nio-driver")


class Driver:
    def __init__(self):
        self.client = None
        self.sync_task = None
        self.events = {}  # room ID -> list of event records

    def record(self, room, evt):
        source = evt.source or {}
        rec = {
            "event_id": evt.event_id,
            "sender": evt.sender,
            "type": source.get("type", ""),
            "encrypted": bool(getattr(evt, "decrypted", False)),
            "undecryptable": isinstance(evt, MegolmEvent),
            "content": source.get("content", {}),
            "redacts": source.get("redacts") or source.get("content", {}).get("redacts", ""),
            "origin_server_ts": evt.server_timestamp,
        }
        self.events.setdefault(room.room_id, []).append(rec)
        log.debug("event %s %s in %s (encrypted=%s)", rec["type"], rec["event_id"], room.room_id, rec["encrypted"])

    async def on_invite(self, room, evt):
        if evt.state_key != self.client.user_id or evt.membership != "invite":
            return
        resp = await self.client.join(room.room_id)
        log.info("joined %s after an invite from %s: %s", room.room_id, evt.sender, type(resp).__name__)

    async def cmd_login(self, req):
        if self.client is not None:
            raise ValueError("already logged in")
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True, max_timeouts=3)
        self.client = AsyncClient(req["homeserver"], req["user"], store_path=req["store_dir"], config=config)
        resp = await self.client.login(req["password"], device_name=req.get("device_name", "nio e2e"))
        if not isinstance(resp, LoginResponse):
            raise RuntimeError(f"login failed: {resp}")
        self.client.add_event_callback(self.record, Event)
        self.client.add_event_callback(self.on_invite, InviteMemberEvent)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self.sync_task = asyncio.ensure_future(self.client.sync_forever(timeout=1000, full_state=True))
        await asyncio.wait_for(self.client.synced.wait(), 30)
        return {"user_id": self.client.user_id, "device_id": self.client.device_id}

    async def wait_for(self, what, check, timeout):
        """Waits until check() returns a truthy value, checking after every sync."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            got = check()
            if got:
                return got
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"waited {timeout}s for {what}")
            try:
                await asyncio.wait_for(self.client.synced.wait(), min(left, 1))
            except asyncio.TimeoutError:
                pass

    async def joined_room(self, room_id, timeout=30, encrypted=False):
        def check():
            room = self.client.rooms.get(room_id)
            if room is None or (encrypted and not room.encrypted):
                return None
            return room

        return await self.wait_for(f"room {room_id} to be joined" + (" and encrypted" if encrypted else ""), check, timeout)

    async def cmd_wait_room(self, req):
        room = await self.joined_room(req["room_id"], req.get("timeout", 30))
        return {"encrypted": room.encrypted, "algorithm": getattr(room, "encryption_algorithm", None) or "",
                "members": sorted(room.users.keys())}

    async def send(self, room_id, content):
        await self.joined_room(room_id, encrypted=True)
        resp = await self.client.room_send(room_id, "m.room.message", content, ignore_unverified_devices=True)
        if not isinstance(resp, RoomSendResponse):
            raise RuntimeError(f"sending to {room_id}: {resp}")
        return resp.event_id

    async def cmd_send(self, req):
        return {"event_id": await self.send(req["room_id"], req["content"])}

    async def cmd_send_image(self, req):
        data = base64.b64decode(req["data"])
        resp, keys = await self.client.upload(io.BytesIO(data), content_type=req["mimetype"], filename=req["name"],
                                              encrypt=True, filesize=len(data))
        if not isinstance(resp, UploadResponse):
            raise RuntimeError(f"uploading {req['name']}: {resp}")
        file = dict(keys)
        file["url"] = resp.content_uri
        file["mimetype"] = req["mimetype"]
        content = {
            "msgtype": "m.image",
            "body": req["name"],
            "file": file,
            "info": {"mimetype": req["mimetype"], "size": len(data), "w": req.get("width", 0), "h": req.get("height", 0)},
        }
        return {"event_id": await self.send(req["room_id"], content), "file": file}

    async def cmd_redact(self, req):
        resp = await self.client.room_redact(req["room_id"], req["event_id"], reason=req.get("reason"))
        if not hasattr(resp, "event_id"):
            raise RuntimeError(f"redacting {req['event_id']}: {resp}")
        return {"event_id": resp.event_id}

    async def cmd_read(self, req):
        resp = await self.client.room_read_markers(req["room_id"], req["event_id"], req["event_id"])
        if type(resp).__name__.endswith("Error"):
            raise RuntimeError(f"read markers in {req['room_id']}: {resp}")
        return {}

    async def cmd_events(self, req):
        return {"events": self.events.get(req["room_id"], [])}

    async def cmd_download(self, req):
        file = req["file"]
        resp = await self.client.download(file["url"])
        body = getattr(resp, "body", None)
        if body is None:
            raise RuntimeError(f"downloading {file['url']}: {resp}")
        data = decrypt_attachment(body, file["key"]["k"], file["hashes"]["sha256"], file["iv"])
        return {"data": base64.b64encode(data).decode()}

    async def cmd_devices(self, req):
        user = req["user_id"]
        if self.client.olm.users_for_key_query:
            await self.client.keys_query()
        return {"devices": sorted(d.id for d in self.client.device_store.active_user_devices(user))}

    async def handle(self, line):
        req_id = None
        try:
            req = json.loads(line)
            req_id = req.get("id")
            fn = getattr(self, "cmd_" + req.get("cmd", ""), None)
            if fn is None:
                raise ValueError(f"unknown command {req.get('cmd')!r}")
            if self.client is None and req["cmd"] != "login":
                raise ValueError("log in first")
            out = {"id": req_id, "ok": True, "result": await fn(req)}
        except Exception as exc:  # every failure goes back to the test
            log.exception("request %s failed", req_id)
            out = {"id": req_id, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()

    async def run(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=64 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        tasks = set()
        while True:
            line = await reader.readline()
            if not line:
                break
            task = asyncio.ensure_future(self.handle(line))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if self.sync_task:
            self.sync_task.cancel()
        if self.client:
            await self.client.close()


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(Driver().run())


if __name__ == "__main__":
    main()
