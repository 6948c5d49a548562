// The simulator's phone page. It reads the simulator's state from
// api/state and api/chat, acts through the control API's POST routes
// (/_sim/scan, /_sim/inject-text, ...), and refreshes when api/live says
// something changed. Data is only ever shown with textContent.
"use strict";

const sim = "../"; // the control API, /_sim/
const $ = (id) => document.getElementById(id);

let state = null; // the latest api/state answer
let chat = null; // the latest api/chat answer for the open chat
let refreshing = null;
let again = false;

// el makes an element with a class and text (never HTML).
function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls) e.className = cls;
	if (text !== undefined && text !== null) e.textContent = text;
	return e;
}

function avatar(id, name) {
	let h = 0;
	for (const c of id) h = (h * 31 + c.codePointAt(0)) >>> 0;
	const a = el("span", "avatar av" + (h % 8), Array.from(name || id)[0] || "?");
	a.setAttribute("aria-hidden", "true");
	return a;
}

function clock(ms) {
	if (!ms) return "";
	const d = new Date(ms);
	const hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
	if (d.toDateString() === new Date().toDateString()) return hm;
	return d.toLocaleDateString([], { month: "2-digit", day: "2-digit" }) + " " + hm;
}

let toastTimer = 0;
function toast(text) {
	const t = $("toast");
	t.textContent = text;
	t.hidden = false;
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// post calls a control API route; it shows what went wrong, if anything.
async function post(path, params, body) {
	const q = new URLSearchParams(params || {});
	try {
		const r = await fetch(sim + path + (q.toString() ? "?" + q : ""), { method: "POST", body: body || null });
		if (!r.ok) {
			toast((await r.text()).trim() || r.statusText);
			return false;
		}
		refresh();
		return true;
	} catch (e) {
		toast("The simulator did not answer: is wechatsim (or make run) still running?");
		return false;
	}
}

async function getJSON(path) {
	const r = await fetch(path, { cache: "no-store" });
	if (!r.ok) throw new Error((await r.text()).trim());
	return r.json();
}

function route() {
	const h = location.hash.replace(/^#/, "");
	if (h.startsWith("chat/")) return { view: "chat", id: decodeURIComponent(h.slice(5)) };
	if (h === "me") return { view: "me" };
	return { view: "chats" };
}

// refresh fetches what the page shows and renders it; calls while one
// runs make it run once more.
function refresh() {
	if (refreshing) {
		again = true;
		return refreshing;
	}
	refreshing = (async () => {
		do {
			again = false;
			try {
				state = await getJSON("api/state");
				const r = route();
				chat = r.view === "chat" ? await getJSON("api/chat?id=" + encodeURIComponent(r.id)) : null;
				render();
			} catch (e) {
				toast("Could not read the simulator: " + e.message);
			}
		} while (again);
		refreshing = null;
	})();
	return refreshing;
}

function show(view) {
	for (const v of ["login-view", "chats-view", "chat-view", "me-view"]) $(v).hidden = v !== view;
}

function render() {
	const r = route();
	const login = state.login;
	const online = login.session === "alive" && !login.pending;
	$("tabs").hidden = false;
	$("tab-chats").setAttribute("aria-current", r.view === "me" ? "false" : "page");
	$("tab-me").setAttribute("aria-current", r.view === "me" ? "page" : "false");
	$("back").hidden = r.view !== "chat" || !online;
	if (r.view === "me") {
		$("title").textContent = state.self.name;
		show("me-view");
		renderMe();
	} else if (!online) {
		$("title").textContent = "Log in";
		show("login-view");
		renderLogin();
	} else if (r.view === "chat" && chat) {
		$("title").textContent = chat.chat.name + (chat.chat.members ? " (" + chat.chat.members.length + ")" : "");
		show("chat-view");
		renderChat();
	} else {
		$("title").textContent = "WeChat";
		show("chats-view");
		renderChats();
	}
}

function renderLogin() {
	const l = state.login;
	$("login-qr").hidden = !l.pending;
	$("login-idle").hidden = !!l.pending || l.session === "ended";
	$("login-ended").hidden = !!l.pending || l.session !== "ended";
	$("ended-ret").textContent = l.ret || "";
	if (!l.pending) return;
	const p = l.pending;
	$("qr-title").textContent = p.push ? "Log in to WeChat on the bridge?" : p.scanned ? "Scanned: confirm the login" : "The bridge wants to log in";
	$("qr-help").textContent = p.push
		? "The bridge asked the phone to confirm a login (a push login): there is nothing to scan."
		: "This is the QR code the bot posted in Matrix. Scan it, then confirm the login.";
	$("qr-payload").textContent = p.qr || p.uuid;
	$("scan").hidden = p.push || p.scanned;
	$("confirm").hidden = !p.push && !p.scanned;
}

function renderChats() {
	const list = $("chat-list");
	const focused = document.activeElement && document.activeElement.dataset.chat;
	list.replaceChildren();
	for (const c of state.chats) {
		const li = el("li");
		const b = el("button");
		b.type = "button";
		b.dataset.chat = c.id;
		const wrap = el("span", "avatar-wrap");
		wrap.append(avatar(c.id, c.name));
		if (c.unread > 0) wrap.append(el("span", "badge", c.unread > 99 ? "99+" : String(c.unread)));
		const info = el("span", "info");
		const name = el("span", "name");
		const n = el("b", null, c.name);
		if (c.kind === "official" || c.kind === "group") n.append(el("span", "kind", c.kind === "group" ? "group" : "official"));
		name.append(n, el("time", null, clock(c.last_time)));
		info.append(name, el("span", "last", c.last || " "));
		b.append(wrap, info);
		b.setAttribute("aria-label", c.name + (c.unread ? ", " + c.unread + " unread" : ""));
		b.addEventListener("click", () => { location.hash = "chat/" + encodeURIComponent(c.id); });
		li.append(b);
		list.append(li);
		if (focused === c.id) b.focus();
	}
}

// senders are who can write in the open chat: the contact or the group's
// members, and the user from the phone.
function senders(c) {
	const me = { id: "self", name: state.self.name + " (me, on the phone)" };
	if (c.kind === "group") {
		return c.members.filter((m) => m.id !== "self").concat([me]);
	}
	if (c.kind === "special") return [me];
	return [{ id: "", name: c.name }, me];
}

function renderChat() {
	const c = chat.chat;
	const sel = $("sender");
	const key = c.id + "|" + (c.members || []).map((m) => m.id).join(",");
	if (sel.dataset.key !== key) {
		sel.dataset.key = key;
		sel.replaceChildren();
		for (const s of senders(c)) {
			const o = el("option", null, s.name);
			o.value = s.id;
			sel.append(o);
		}
	}
	$("group-tools").hidden = c.kind !== "group";
	if (c.kind === "group") {
		const add = $("add-member");
		const inGroup = new Set(c.members.map((m) => m.id));
		const want = state.friends.filter((f) => !inGroup.has(f.id));
		if (add.dataset.key !== want.map((f) => f.id).join(",")) {
			add.dataset.key = want.map((f) => f.id).join(",");
			add.replaceChildren();
			for (const f of want) {
				const o = el("option", null, f.name);
				o.value = f.id;
				add.append(o);
			}
		}
	}
	const box = $("messages");
	const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
	box.replaceChildren();
	let lastRead = -1;
	chat.messages.forEach((m, i) => { if (m.read) lastRead = i; });
	chat.messages.forEach((m, i) => box.append(message(c, m, i === lastRead)));
	if (chat.messages.length === 0) box.append(el("li", "day", "No messages yet. Write one below."));
	if (atBottom || box.dataset.chat !== c.id) {
		box.dataset.chat = c.id;
		box.scrollTop = box.scrollHeight;
		const last = box.lastElementChild;
		if (last && last.scrollIntoView) last.scrollIntoView({ block: "end" });
	}
}

function message(c, m, showRead) {
	if (m.kind === "system" || m.kind === "recalled" || m.kind === "friend-request") {
		const li = el("li", "msg system");
		li.dataset.msg = m.id;
		li.dataset.kind = m.kind;
		li.append(el("span", "notice", m.text));
		return li;
	}
	const li = el("li", "msg " + (m.mine ? "mine" : "theirs"));
	li.dataset.msg = m.id;
	li.dataset.kind = m.kind;
	li.append(avatar(m.from || "?", m.from_name));
	const body = el("div", "body");
	if (c.kind === "group" && !m.mine) body.append(el("span", "who", m.from_name));
	const bubble = el("div", "bubble");
	if ((m.kind === "image" || m.kind === "sticker") && m.media) {
		bubble.classList.add("media");
		const img = el("img");
		img.src = "api/media?msgid=" + encodeURIComponent(m.id);
		img.alt = m.kind === "image" ? "Image from " + m.from_name : "Sticker";
		bubble.append(img);
	} else if (m.kind === "file") {
		const a = el("a", "file");
		a.href = "api/media?msgid=" + encodeURIComponent(m.id);
		a.download = m.file_name;
		a.append(el("span", "icon", "📄"), el("span", null, m.file_name + " (" + size(m.size) + ")"));
		bubble.append(a);
	} else {
		bubble.append(el("span", "text", m.text));
	}
	body.append(bubble);
	const meta = el("div", "meta");
	meta.append(el("time", null, clock(m.time)));
	if (m.via_bridge) meta.append(el("span", "tag", "via bridge"));
	if (showRead) meta.append(el("span", "tag read", "read on the bridge"));
	const recall = el("button", "recall", "Recall");
	recall.type = "button";
	recall.setAttribute("aria-label", "Recall this message");
	recall.addEventListener("click", () => post("recall", { chat: c.id, from: m.mine ? "self" : m.from === c.id ? "" : m.from, msgid: m.id }));
	meta.append(recall);
	body.append(meta);
	li.append(body);
	return li;
}

function size(n) {
	if (n < 1024) return n + " B";
	if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
	return (n / 1024 / 1024).toFixed(1) + " MB";
}

function renderMe() {
	const l = state.login;
	$("session-line").textContent =
		l.session === "alive" ? "Logged in (" + (l.desktop ? "desktop" : "web") + " mode)." :
		l.session === "ended" ? "The session ended (" + l.ret + ")." : "Not logged in yet.";
	for (const id of ["end-1101", "end-1102", "rotate-skey"]) $(id).disabled = l.session !== "alive";
	const faults = $("faults");
	faults.replaceChildren();
	for (const f of state.faults) faults.append(el("li", null, "Armed: the next " + f.count + " " + f.endpoint + " answer " + f.fault));
	const notes = $("notes");
	notes.replaceChildren();
	for (const n of state.notes.slice().reverse()) {
		const li = el("li");
		li.dataset.kind = n.kind;
		li.append(el("time", null, clock(n.time)), document.createTextNode(n.text));
		notes.append(li);
	}
	if (state.notes.length === 0) notes.append(el("li", null, "Nothing happened yet."));
}

function pendingUUID() {
	return state && state.login.pending ? state.login.pending.uuid : "";
}

function wire() {
	$("scan").addEventListener("click", () => post("scan", { uuid: pendingUUID() }));
	$("confirm").addEventListener("click", () => post("confirm", { uuid: pendingUUID() }));
	$("cancel").addEventListener("click", () => post("cancel", { uuid: pendingUUID() }));
	$("back").addEventListener("click", () => { location.hash = ""; });
	$("tab-chats").addEventListener("click", () => { location.hash = ""; });
	$("tab-me").addEventListener("click", () => { location.hash = "me"; });
	$("end-1101").addEventListener("click", () => post("end-session", { ret: "1101" }));
	$("end-1102").addEventListener("click", () => post("end-session", { ret: "1102" }));
	$("rotate-skey").addEventListener("click", () => post("rotate-skey"));
	$("composer").addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const text = $("text").value;
		if (!chat || text.trim() === "") return;
		if (await post("inject-text", { chat: chat.chat.id, from: $("sender").value, text: text })) $("text").value = "";
		$("text").focus();
	});
	$("attach").addEventListener("change", async () => {
		const f = $("attach").files[0];
		$("attach").value = "";
		if (!f || !chat) return;
		const params = { chat: chat.chat.id, from: $("sender").value };
		if (f.type.startsWith("image/")) {
			await post("inject-image", params, f);
		} else {
			params.name = f.name;
			await post("inject-file", params, f);
		}
	});
	$("rename-form").addEventListener("submit", async (ev) => {
		ev.preventDefault();
		if (chat && await post("rename-group", { group: chat.chat.id, name: $("rename-name").value })) $("rename-name").value = "";
	});
	$("add-form").addEventListener("submit", (ev) => {
		ev.preventDefault();
		if (chat && $("add-member").value) post("add-member", { group: chat.chat.id, member: $("add-member").value });
	});
	$("friend-form").addEventListener("submit", (ev) => {
		ev.preventDefault();
		post("friend-request", { nick: $("fr-nick").value, greeting: $("fr-greeting").value });
	});
	$("fault-form").addEventListener("submit", (ev) => {
		ev.preventDefault();
		post("fail-next", { endpoint: $("fault-endpoint").value, fault: $("fault-kind").value, n: $("fault-n").value });
	});
	window.addEventListener("hashchange", () => {
		chat = null;
		refresh().then(() => {
			if (route().view === "chat" && !$("chat-view").hidden) $("text").focus();
		});
	});
}

function live() {
	const es = new EventSource("api/live");
	es.addEventListener("open", () => $("conn").classList.add("live"));
	es.addEventListener("error", () => $("conn").classList.remove("live"));
	es.addEventListener("change", () => refresh());
}

wire();
refresh();
live();
