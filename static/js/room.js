// The room page, live (DESIGN.md, "Wire protocol" and "Reliability").
//
// The page works without this module (server-rendered history and a plain form). Here
// it takes over: messages go out over /ws/rooms/<slug>/ and show at once as "sending";
// the socket reconnects with backoff and jitter and resumes with ?after=<rev>, so the
// server sends only what this page lacks; a gap in `rev` is filled with `sync`; what was
// typed offline waits in memory and goes out with its first client_id, so never twice.
// Every word shown comes from the template's data-* attributes, in the reader's language;
// user text is set with textContent, except body_html, which the server has sanitised.

const HEARTBEAT_MS = 25000;       // a ping this often; a socket silent for two beats is dead
const BACKOFF_FIRST_MS = 1000;    // 1 s, 2 s, 4 s … 30 s, each with up to 50 % jitter
const BACKOFF_MAX_MS = 30000;
const TYPING_EVERY_MS = 3000;     // the server passes on one `typing` per 3 s anyway
const TYPING_SHOWN_MS = 5000;
const NOTICE_SHOWN_MS = 10000;
const HISTORY_PAGE = 50;
const NEAR_EDGE_PX = 48;
const FINAL_CLOSES = { 4401: "signed-out", 4403: "banned", 4404: "closed" };

const root = document.getElementById("room");
if (root && "WebSocket" in window) start(root);

function start(root) {
  const $ = (selector) => root.querySelector(selector);
  const strings = { ...($("[data-room-strings]")?.dataset ?? {}) };
  const list = $("[data-messages]");
  const stateBox = $("[data-connection-state]");
  const olderButton = $("[data-load-older]");
  const typingBox = $("[data-typing]");
  const presenceList = $("[data-presence]");
  const noticeBox = $("[data-notice]");
  const composer = $("[data-composer]");
  const textarea = composer?.querySelector("textarea");
  const bodyMax = Number(root.dataset.bodyMax) || 4000;
  const timeFormat = dateFormat();

  const room = {
    me: { id: root.dataset.meId, name: root.dataset.meName || "" },
    canPost: root.dataset.canPost === "true",
    canModerate: root.dataset.canModerate === "true",
    readOnly: $("[data-read-only]")?.hidden === false,
  };

  // Every change up to `rev` is on the page; `seenRev` is the highest any frame told of.
  let rev = Number(root.dataset.rev) || 0;
  let seenRev = rev;
  let syncing = false;
  let hasMore = root.dataset.hasMore === "true";
  let olderPending = false;

  // Messages not yet confirmed by the server: {clientId, body, node, sentOn}.
  const outbox = [];
  const failedEntries = new Map();  // refused for good, until the writer tries again
  let retryTimer = null;

  let socket = null;
  let connected = false;     // the server said hello on this socket
  let generation = 0;        // which socket an outbox entry was last sent on
  let attempt = 0;
  let reconnectTimer = null;
  let heartbeatTimer = null;
  let lastFrameAt = 0;
  let stopped = false;

  const typists = new Map(); // user id -> {name, timer}
  let lastTypingSent = 0;
  let noticeTimer = null;

  // --- Words -------------------------------------------------------------------------

  function t(key, values = {}) {
    return (strings[key] ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  function dateFormat() {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "short", timeStyle: "short" });
    } catch {
      return null;
    }
  }

  function listFormat(names) {
    try {
      return new Intl.ListFormat(document.documentElement.lang || undefined, { type: "conjunction" }).format(names);
    } catch {
      return names.join(", ");
    }
  }

  function formatTime(iso) {
    const moment = new Date(iso);
    return timeFormat && !Number.isNaN(moment.getTime()) ? timeFormat.format(moment) : iso;
  }

  function errorText(frame) {
    const key = {
      rate_limited: "errorRateLimited", muted: "errorMuted", read_only: "errorReadOnly",
      too_long: "errorTooLong", forbidden: "errorForbidden", not_found: "errorNotFound",
    }[frame.code] ?? "errorBadRequest";
    return t(key, { seconds: frame.retry_after ?? "" });
  }

  // --- What the reader sees ----------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setState(state) {
    if (!stateBox) return;
    stateBox.dataset.connectionState = state;
    stateBox.textContent = t(`state${state.replace(/(^|-)(\w)/g, (_, dash, c) => c.toUpperCase())}`);
    stateBox.hidden = false;
  }

  function notify(text) {
    if (!noticeBox || !text) return;
    noticeBox.textContent = text;
    noticeBox.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { noticeBox.hidden = true; }, NOTICE_SHOWN_MS);
  }

  function updateComposer() {
    if (!composer) return;
    const closed = stopped || room.readOnly || !room.canPost;
    for (const control of composer.querySelectorAll("textarea, button")) control.disabled = closed;
  }

  function updateOlderButton() {
    if (olderButton) olderButton.hidden = !hasMore;
  }

  function applyRoom(settings) {
    const moderatorBefore = room.canModerate;
    room.canPost = settings.can_post;
    room.canModerate = settings.can_moderate;
    showReadOnly(settings.read_only);
    showSlowMode(settings.slow_mode_seconds);
    if (moderatorBefore !== room.canModerate) list.querySelectorAll("[data-id]").forEach(decorate);
  }

  function showReadOnly(on) {
    room.readOnly = Boolean(on);
    const flag = $("[data-read-only]");
    if (flag) flag.hidden = !room.readOnly;
    $("[data-room-action='read-only']")?.setAttribute("aria-pressed", String(room.readOnly));
    updateComposer();
  }

  function showSlowMode(seconds) {
    const flag = $("[data-slow-mode]");
    if (flag) {
      flag.hidden = !seconds;
      if (seconds) flag.textContent = t("slowModeLabel", { seconds });
    }
    const input = $("[data-slow-mode-form] input");
    if (input && document.activeElement !== input) input.value = String(seconds || 0);
  }

  // Keep the reader where they are: at the bottom if they were there, else still.
  function keepingView(change) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_EDGE_PX;
    change();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  // Older messages go in above: keep the distance to the bottom, so nothing jumps.
  function keepingBottomDistance(change) {
    const fromBottom = list.scrollHeight - list.scrollTop;
    change();
    list.scrollTop = list.scrollHeight - fromBottom;
  }

  function renderMessage(m) {
    const node = element("li", m.deleted ? "room-message is-deleted" : "room-message");
    node.id = `m-${m.id}`;
    Object.assign(node.dataset, { id: m.id, seq: m.seq, rev: m.rev, authorId: m.author.id });
    const meta = element("p", "room-message-meta");
    const time = element("time", "", formatTime(m.created));
    time.dateTime = m.created;
    meta.append(element("bdi", "room-message-author", m.author.name), " ", time);
    if (m.edited && !m.deleted) meta.append(" ", element("span", "room-message-edited", t("edited")));
    node.append(meta);
    let body;
    if (m.deleted) {
      body = element("p", "room-message-body room-message-tombstone", t("deleted"));
    } else {
      body = element("div", "room-message-body");
      body.innerHTML = m.body_html;  // the server's sanitiser output: the page's own HTML
    }
    body.dir = "auto";
    node.append(body);
    decorate(node);
    return node;
  }

  // The buttons of a message: delete (own, or any as a moderator), report (others'),
  // and for moderators mute / ban its author. Built here: without JS they would do nothing.
  function decorate(node) {
    node.querySelector(".room-message-actions")?.remove();
    if (node.classList.contains("is-deleted") || !node.dataset.id) return;
    const own = node.dataset.authorId === room.me.id;
    const actions = element("div", "room-message-actions");
    const button = (action, label, parent = actions, extra = {}) => {
      const control = element("button", "", label);
      control.type = "button";
      Object.assign(control.dataset, { action, ...extra });
      parent.append(control);
    };
    if (own || room.canModerate) button("delete", t("delete"));
    if (!own) button("report", t("report"));
    if (room.canModerate && !own) {
      const menu = element("details");
      menu.append(element("summary", "", t("moderate")));
      const tools = element("div");
      button("mute", t("muteShort"), tools, { minutes: "10" });
      button("mute", t("muteLong"), tools, { minutes: "1440" });
      button("unmute", t("unmute"), tools);
      button("ban", t("ban"), tools);
      button("unban", t("unban"), tools);
      menu.append(tools);
      actions.append(menu);
    }
    if (actions.childElementCount) node.append(actions);
  }

  // Messages stay in `seq` order; unconfirmed ones (no seq yet) stay below them all.
  function insertBySeq(node, seq) {
    let before = null;
    for (let child = list.lastElementChild; child; child = child.previousElementSibling) {
      if (child.dataset.seq && Number(child.dataset.seq) < seq) break;
      before = child;
    }
    list.insertBefore(node, before);
    $("[data-empty]")?.remove();
  }

  // Any M, from any frame: new, newer than ours, or a duplicate to drop. A change to a
  // message older than the ones shown waits for scroll-back, which brings it as it is
  // then: shown now, it would leave a hole in the list (and in `before`).
  function applyMessage(m, { older = false } = {}) {
    if (!m || typeof m.id !== "string" || !m.author) return;
    const existing = document.getElementById(`m-${m.id}`);
    const first = list.querySelector("[data-seq]");
    const beyondShown = !existing && !older && hasMore && first && m.seq < Number(first.dataset.seq);
    if (!beyondShown && (!existing || Number(existing.dataset.rev) < m.rev)) {
      const node = renderMessage(m);
      if (existing) existing.replaceWith(node);
      else insertBySeq(node, m.seq);
    }
    if (m.author.id === room.me.id && m.client_id) settle(m.client_id);
  }

  function showTypists() {
    if (!typingBox) return;
    const names = [...typists.values()].map((typist) => typist.name);
    typingBox.textContent = names.length ? t(names.length === 1 ? "typingOne" : "typingMany", { names: listFormat(names) }) : "";
  }

  function stopTyping(userId) {
    const typist = typists.get(userId);
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(userId);
    showTypists();
  }

  // --- The socket ----------------------------------------------------------------------

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (stopped || socket) return;
    if (navigator.onLine === false) {
      setState("offline");  // the `online` event brings us back
      return;
    }
    setState(attempt ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${root.dataset.wsPath}?after=${rev}`);
    socket = ws;
    generation += 1;
    syncing = true;  // opened with ?after=, the server answers hello with sync
    ws.addEventListener("message", (event) => { if (ws === socket) receive(event.data); });
    ws.addEventListener("close", (event) => { if (ws === socket) closed(event.code); });
  }

  function closed(code) {
    drop();
    if (code in FINAL_CLOSES) {
      stop(FINAL_CLOSES[code]);
      if (code === 4401 && root.dataset.loginUrl) location.assign(root.dataset.loginUrl);
      return;
    }
    reconnectLater();
  }

  // Forget the current socket (closed, dead or abandoned); its late events are ignored.
  function drop() {
    const ws = socket;
    socket = null;
    connected = false;
    olderPending = false;
    clearInterval(heartbeatTimer);
    $("[data-presence-box]")?.setAttribute("hidden", "");  // who is here is unknown until we are back
    if (ws && ws.readyState < WebSocket.CLOSING) ws.close();
  }

  function reconnectLater() {
    if (stopped || reconnectTimer) return;
    if (navigator.onLine === false) {
      setState("offline");
      return;
    }
    setState("reconnecting");
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    reconnectTimer = setTimeout(connect, base / 2 + Math.random() * base / 2);
  }

  function reconnectNow() {
    if (stopped || socket) return;
    attempt = 0;
    connect();
  }

  function stop(state) {
    stopped = true;
    drop();
    clearTimeout(reconnectTimer);
    clearTimeout(retryTimer);
    setState(state);
    updateComposer();
    [...outbox].forEach(failed);  // they cannot go out any more
  }

  // A half-open socket (a phone changing networks) never says it closed: ping, and give
  // it up when nothing at all came back for two beats.
  function startHeartbeat() {
    clearInterval(heartbeatTimer);
    lastFrameAt = Date.now();
    heartbeatTimer = setInterval(() => {
      if (Date.now() - lastFrameAt > 2 * HEARTBEAT_MS) {
        drop();
        reconnectLater();
      } else {
        send({ type: "ping" });
      }
    }, HEARTBEAT_MS);
  }

  function send(frame) {
    if (!connected || !socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function requestSync() {
    if (syncing || !connected) return;  // a socket still to open resumes with ?after= anyway
    syncing = true;
    send({ type: "sync", after: rev });
  }

  // --- Frames from the server ----------------------------------------------------------

  function receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    lastFrameAt = Date.now();
    const handler = frame && HANDLERS[frame.type];
    if (handler) handler(frame);
  }

  const HANDLERS = {
    hello(frame) {
      connected = true;
      attempt = 0;
      room.me = frame.me;
      seenRev = Math.max(seenRev, frame.rev);
      applyRoom(frame.room);
      setState("connected");
      startHeartbeat();
      flushOutbox();
    },

    sync(frame) {
      keepingView(() => frame.messages.forEach((m) => applyMessage(m)));
      if (frame.has_more && frame.messages.length) {
        // Oldest change first: everything up to the last one is here now.
        rev = Math.max(rev, frame.messages[frame.messages.length - 1].rev);
        send({ type: "sync", after: rev });
        return;
      }
      rev = Math.max(rev, frame.rev);
      seenRev = Math.max(seenRev, rev);
      syncing = false;
      if (seenRev > rev) requestSync();
    },

    history(frame) {
      if (!olderPending) {
        keepingView(() => frame.messages.forEach((m) => applyMessage(m)));
        return;
      }
      olderPending = false;
      keepingBottomDistance(() => frame.messages.forEach((m) => applyMessage(m, { older: true })));
      hasMore = frame.has_more;
      updateOlderButton();
    },

    message: changed,
    "message.edited": changed,
    "message.deleted": changed,

    typing(frame) {
      const user = frame.user;
      if (!user || user.id === room.me.id) return;
      clearTimeout(typists.get(user.id)?.timer);
      typists.set(user.id, { name: user.name, timer: setTimeout(() => stopTyping(user.id), TYPING_SHOWN_MS) });
      showTypists();
    },

    presence(frame) {
      if (!presenceList) return;
      presenceList.replaceChildren(...frame.online.map((person) => {
        const item = element("li");
        item.append(element("bdi", "", person.name));
        return item;
      }));
      presenceList.closest("[data-presence-box]")?.toggleAttribute("hidden", !frame.online.length);
    },

    moderation(frame) {
      const name = frame.user?.name ?? "";
      const mine = frame.user?.id === room.me.id;
      switch (frame.action) {
        case "mute":
          notify(mine ? t("eventMuteMe", { until: frame.until ? formatTime(frame.until) : "—" }) : t("eventMute", { name }));
          break;
        case "unmute":
          notify(t("eventUnmute", { name }));
          break;
        case "ban":
          if (!mine) notify(t("eventBan", { name }));  // our own socket closes with 4403
          break;
        case "unban":
          notify(t("eventUnban", { name }));
          break;
        case "slow_mode":
          showSlowMode(frame.seconds);
          notify(t("eventSlowMode"));
          break;
        case "read_only":
          showReadOnly(frame.on);
          notify(t(frame.on ? "eventReadOnlyOn" : "eventReadOnlyOff"));
          break;
        default:  // "delete": the tombstone says it all
      }
    },

    reported() {
      notify(t("reported"));
    },

    error(frame) {
      const entry = frame.ref ? outbox.find((item) => item.clientId === frame.ref) : null;
      if (entry && frame.code === "rate_limited") {
        entry.sentOn = null;  // sent again, with the same client_id, when the wait is over
        retryLater(frame.retry_after);
      } else if (entry) {
        failed(entry);
      }
      notify(errorText(frame));
    },

    pong(frame) {
      seenRev = Math.max(seenRev, frame.rev);
      if (frame.rev > rev) requestSync();
    },
  };

  // `message`, `message.edited`, `message.deleted`: one change, one rev further.
  function changed(frame) {
    const m = frame.message;
    if (!m) return;
    keepingView(() => applyMessage(m));
    if (frame.type === "message") stopTyping(m.author?.id);
    seenRev = Math.max(seenRev, m.rev);
    if (m.rev === rev + 1) rev = m.rev;
    else if (m.rev > rev) requestSync();  // a change was lost on the way: ask for it
  }

  // --- Sending -------------------------------------------------------------------------

  function newClientId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function submit() {
    const body = textarea.value;
    if (!body.trim() || stopped) return;
    if ([...body.trim()].length > bodyMax) {  // characters, as the server counts them
      notify(t("errorTooLong"));
      return;
    }
    const entry = { clientId: newClientId(), body, node: null, sentOn: null };
    entry.node = renderPending(entry);
    outbox.push(entry);
    list.append(entry.node);
    $("[data-empty]")?.remove();
    list.scrollTop = list.scrollHeight;
    textarea.value = "";
    flushOutbox();
  }

  function renderPending(entry) {
    const node = element("li", "room-message is-sending");
    node.dataset.clientId = entry.clientId;
    const meta = element("p", "room-message-meta");
    meta.append(element("bdi", "room-message-author", room.me.name), " ", element("span", "room-message-status", t("sending")));
    const body = element("div", "room-message-body", entry.body);
    body.dir = "auto";
    node.append(meta, body);
    return node;
  }

  // In order, each entry once per socket; a rate limit holds back the rest until it ends.
  function flushOutbox() {
    if (!connected || retryTimer) return;
    for (const entry of outbox) {
      if (entry.sentOn === generation) continue;
      if (!send({ type: "send", body: entry.body, client_id: entry.clientId })) return;
      entry.sentOn = generation;
    }
  }

  function retryLater(seconds) {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; flushOutbox(); }, Math.max(1, Number(seconds) || 1) * 1000);
  }

  // The server has the message (new, or the stored one for a repeated client_id).
  function settle(clientId) {
    const index = outbox.findIndex((entry) => entry.clientId === clientId);
    if (index >= 0) outbox.splice(index, 1);
    failedEntries.delete(clientId);
    list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`)?.remove();
  }

  function failed(entry) {
    outbox.splice(outbox.indexOf(entry), 1);
    entry.node.classList.replace("is-sending", "is-failed");
    entry.node.querySelector(".room-message-status").textContent = t("notSent");
    if (stopped) return;
    const again = element("button", "", t("retry"));
    again.type = "button";
    again.dataset.action = "retry";
    const actions = element("div", "room-message-actions");
    actions.append(again);
    entry.node.append(actions);
    failedEntries.set(entry.clientId, entry);
  }

  function retry(clientId) {
    const entry = failedEntries.get(clientId);
    if (!entry) return;
    failedEntries.delete(clientId);
    entry.node.classList.replace("is-failed", "is-sending");
    entry.node.querySelector(".room-message-status").textContent = t("sending");
    entry.node.querySelector(".room-message-actions")?.remove();
    entry.sentOn = null;
    outbox.push(entry);
    flushOutbox();
  }

  function typed() {
    const now = Date.now();
    if (!textarea.value.trim() || now - lastTypingSent < TYPING_EVERY_MS) return;
    if (send({ type: "typing" })) lastTypingSent = now;
  }

  function loadOlder() {
    const first = list.querySelector("[data-seq]");
    if (!hasMore || olderPending || !first) return;
    if (send({ type: "history", before: Number(first.dataset.seq), limit: HISTORY_PAGE })) olderPending = true;
  }

  // A click on a message's button: the frame of the protocol, after asking what it needs.
  function act(button) {
    const action = button.dataset.action;
    const node = button.closest(".room-message");
    if (action === "retry") {
      retry(node.dataset.clientId);
      return;
    }
    const id = node.dataset.id;
    const user = node.dataset.authorId;
    let frame = null;
    if (action === "delete") {
      if (window.confirm(t("deleteConfirm"))) frame = { type: "delete", id };
    } else if (action === "report") {
      const reason = window.prompt(t("reportPrompt"));
      if (reason && reason.trim()) frame = { type: "report", id, reason: reason.trim() };
    } else if (action === "mute" || action === "ban") {
      const reason = window.prompt(t("reasonPrompt"));
      if (reason !== null) {
        frame = action === "mute"
          ? { type: "mute", user, minutes: Number(button.dataset.minutes), reason: reason.trim() }
          : { type: "ban", user, reason: reason.trim() };
      }
    } else if (action === "unmute" || action === "unban") {
      frame = { type: action, user };
    }
    if (frame && !send(frame)) notify(t("errorOffline"));
  }

  // --- Wiring --------------------------------------------------------------------------

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button && list.contains(button)) act(button);
  });
  list.addEventListener("scroll", () => {
    if (list.scrollTop < NEAR_EDGE_PX && list.scrollHeight > list.clientHeight) loadOlder();
  }, { passive: true });
  olderButton?.addEventListener("click", loadOlder);

  if (composer && textarea) {
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    textarea.addEventListener("keydown", (event) => {
      // Not while an input method is composing: its Enter picks a word.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    textarea.addEventListener("input", typed);
    $("[data-composer-hint]")?.removeAttribute("hidden");
  }

  const moderation = $("[data-moderation]");
  if (moderation) {
    moderation.hidden = false;
    $("[data-slow-mode-form]")?.addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = Number(event.target.elements.seconds.value);
      if (Number.isInteger(seconds) && !send({ type: "slow_mode", seconds })) notify(t("errorOffline"));
    });
    $("[data-room-action='read-only']")?.addEventListener("click", () => {
      if (!send({ type: "read_only", on: !room.readOnly })) notify(t("errorOffline"));
    });
  }

  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", () => {
    if (stopped) return;
    drop();
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setState("offline");
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket && !stopped) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });

  // The server's times in the reader's format; the server's messages get their buttons.
  list.querySelectorAll("time[datetime]").forEach((time) => { time.textContent = formatTime(time.dateTime); });
  list.querySelectorAll("[data-id]").forEach(decorate);
  updateOlderButton();
  list.scrollTop = list.scrollHeight;
  connect();
}
