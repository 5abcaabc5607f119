// Messages written here that the server has not confirmed yet. Each keeps the client_id
// it was given when written: sent again after a reconnect, the server stores it once
// (DESIGN.md, "Reliability"). Each goes out once per socket, in order; a rate limit holds
// back the rest until it ends.

import { element } from "./render.js";

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function createOutbox(ctx, render) {
  const { t, list } = ctx;
  const waiting = [];               // {clientId, body, node, sentOn}
  const refused = new Map();        // refused for good, until the writer tries again
  let generation = 0;               // which socket (counted by hellos) an entry went out on
  let retryTimer = null;

  function add(body) {
    const clientId = newClientId();
    waiting.push({ clientId, body, node: render.pending(body, clientId), sentOn: null });
    flush();
  }

  // A new socket said hello: what it has not carried yet goes out on it.
  function connected() {
    generation += 1;
    flush();
  }

  function flush() {
    if (!ctx.connected || retryTimer) return;
    for (const entry of waiting) {
      if (entry.sentOn === generation) continue;
      if (!ctx.send({ type: "send", body: entry.body, client_id: entry.clientId })) return;
      entry.sentOn = generation;
    }
  }

  function retryLater(seconds) {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; flush(); }, Math.max(1, Number(seconds) || 1) * 1000);
  }

  // The server has the message (new, or the stored one for a repeated client_id).
  function settle(clientId) {
    const index = waiting.findIndex((entry) => entry.clientId === clientId);
    if (index >= 0) waiting.splice(index, 1);
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

  function failed(entry) {
    waiting.splice(waiting.indexOf(entry), 1);
    entry.node.classList.replace("is-sending", "is-failed");
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
    flush();
  }

  // The room is closed for good: nothing waiting can go out any more.
  function stop() {
    clearTimeout(retryTimer);
    [...waiting].forEach(failed);
  }

  return { add, connected, settle, answered, retry, stop };
}
