// Messages written here that the server has not confirmed yet. Each keeps the client_id
// it was given when written: sent again after a reconnect or a reload, the server stores
// it once (DESIGN.md, "Reliability"). Each goes out once per socket, in order; a rate limit
// holds back the rest until it ends. They are kept in this tab until confirmed (kept.js),
// with the files they carry (uploaded already: their ids go out with the text).

import { keptOutbox } from "./kept.js";
import { element } from "./render.js";

// Not confirmed this long after it was written: the message says so in words (a colour
// alone tells nothing to a screen reader or a colour-blind reader).
export const CONFIRM_WITHIN_MS = 10000;

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function createOutbox(ctx, render) {
  const { t, list } = ctx;
  const kept = keptOutbox(ctx.room.me.id, ctx.root.dataset.roomSlug);
  const waiting = [];               // {clientId, body, attachments, node, sentOn, timer}
  const refused = new Map();        // refused for good, until the writer tries again
  let generation = 0;               // which socket (counted by hellos) an entry went out on
  let retryTimer = null;

  // `attachments`: the upload answers ({id, name, size, type, url, preview_url}) of its files.
  function queue(clientId, body, attachments = []) {
    const node = render.pending(body, clientId, attachments);
    const entry = { clientId, body, attachments, node, sentOn: null, timer: null };
    waiting.push(entry);
    expectConfirmation(entry);
  }

  function add(body, attachments = []) {
    queue(newClientId(), body, attachments);
    kept.save(waiting);
    flush();
  }

  // What an earlier load of this page left unconfirmed: shown again, and sent once the
  // socket is up, under its own client_id.
  function restore() {
    for (const { clientId, body, attachments } of kept.load()) {
      if (!waiting.some((entry) => entry.clientId === clientId)) queue(clientId, body, attachments);
    }
    flush();
  }

  function expectConfirmation(entry) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.node.classList.add("is-waiting");
      entry.node.querySelector(".room-message-status").textContent = t("waiting");
    }, CONFIRM_WITHIN_MS);
  }

  // A new socket said hello: what it has not carried yet goes out on it.
  function connected() {
    generation += 1;
    flush();
  }

  function flush() {
    if (!ctx.connected || retryTimer) return;
    let sent = false;
    for (const entry of waiting) {
      if (entry.sentOn === generation) continue;
      const frame = { type: "send", body: entry.body, client_id: entry.clientId };
      if (entry.attachments.length) frame.attachments = entry.attachments.map((file) => file.id);
      if (!ctx.send(frame)) break;
      entry.sentOn = generation;
      sent = true;
    }
    // An answer is due now: a link that died quietly since the last ping shows at once.
    if (sent) ctx.probe();
  }

  function retryLater(seconds) {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; flush(); }, Math.max(1, Number(seconds) || 1) * 1000);
  }

  // The server has the message (new, or the stored one for a repeated client_id).
  function settle(clientId) {
    const index = waiting.findIndex((entry) => entry.clientId === clientId);
    if (index >= 0) {
      clearTimeout(waiting[index].timer);
      waiting.splice(index, 1);
      kept.save(waiting);
    }
    refused.delete(clientId);
    list.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`)?.remove();
  }

  // An `error` frame about one of ours: wait out a rate limit, else it failed.
  function answered(frame) {
    const entry = frame.ref ? waiting.find((item) => item.clientId === frame.ref) : null;
    if (entry && frame.code === "rate_limited") {
      entry.sentOn = null;  // sent again, with the same client_id, when the wait is over
      retryLater(frame.retry_after);
    } else if (entry) {
      failed(entry);
    }
  }

  // Refused for good (or the room closed): no longer kept, and said so on the message.
  function failed(entry) {
    clearTimeout(entry.timer);
    waiting.splice(waiting.indexOf(entry), 1);
    kept.save(waiting);
    entry.node.classList.remove("is-sending", "is-waiting");
    entry.node.classList.add("is-failed");
    entry.node.querySelector(".room-message-status").textContent = t("notSent");
    if (ctx.room.stopped) return;
    const again = element("button", "", t("retry"));
    again.type = "button";
    again.dataset.action = "retry";
    const actions = element("div", "room-message-actions");
    actions.append(again);
    entry.node.append(actions);
    refused.set(entry.clientId, entry);
  }

  function retry(clientId) {
    const entry = refused.get(clientId);
    if (!entry) return;
    refused.delete(clientId);
    entry.node.classList.replace("is-failed", "is-sending");
    entry.node.querySelector(".room-message-status").textContent = t("sending");
    entry.node.querySelector(".room-message-actions")?.remove();
    entry.sentOn = null;
    waiting.push(entry);
    kept.save(waiting);
    expectConfirmation(entry);
    flush();
  }

  // The room is closed for good: nothing waiting can go out any more.
  function stop() {
    clearTimeout(retryTimer);
    [...waiting].forEach(failed);
  }

  return { add, restore, connected, settle, answered, retry, stop };
}
