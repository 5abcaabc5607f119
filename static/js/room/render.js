// Messages on the page: new ones, edits and tombstones, in `seq` order, each once.
// User text is set with textContent; body_html is the server's sanitiser output (the same
// HTML the page itself is rendered with), the one thing set as HTML.

import { timeElement } from "../time.js";

const NEAR_EDGE_PX = 48;

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createRender(ctx, { menu, files }) {
  const { $, t, words, room, list } = ctx;
  // The room scrolls with the page (its message box is docked at the foot of the screen).
  const page = document.scrollingElement;

  function message(m) {
    const node = element("li", m.deleted ? "room-message is-deleted" : "room-message");
    node.id = `m-${m.id}`;
    Object.assign(node.dataset, { id: m.id, seq: m.seq, rev: m.rev, authorId: m.author.id });
    const meta = element("p", "room-message-meta");
    const time = timeElement(m.created);
    meta.append(element("bdi", "room-message-author", m.author.name), " ", time);
    if (m.edited && !m.deleted) meta.append(" ", element("span", "room-message-edited", t("edited")));
    node.append(meta);
    let body;
    if (m.deleted) {
      body = element("p", "room-message-body room-message-tombstone", t("deleted"));
    } else {
      body = element("div", "room-message-body");
      body.innerHTML = m.body_html;  // sanitised by the server: see the top of this file
    }
    body.dir = "auto";
    node.append(body);
    const attached = m.deleted ? null : files.list(m.attachments);  // a tombstone has none
    if (attached) node.append(attached);
    decorate(node);
    return node;
  }

  // Each message's "⋯" menu (message-menu.js).
  function decorate(node) {
    menu.decorate(node);
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
  // message older than the ones shown waits for scroll-back (`hasMore`), which brings it
  // as it is then: shown now, it would leave a hole in the list (and in `before`).
  function apply(m, { older = false, hasMore = false } = {}) {
    if (!m || typeof m.id !== "string" || !m.author) return false;
    const existing = document.getElementById(`m-${m.id}`);
    const first = list.querySelector("[data-seq]");
    const beyondShown = !existing && !older && hasMore && first && m.seq < Number(first.dataset.seq);
    if (!beyondShown && (!existing || Number(existing.dataset.rev) < m.rev)) {
      const node = message(m);
      if (existing) {
        const focused = existing.contains(document.activeElement);  // its menu or its editor
        existing.replaceWith(node);
        if (focused) node.querySelector(".message-menu-toggle")?.focus();
      } else {
        insertBySeq(node, m.seq);
      }
    }
    return true;
  }

  // A message written here, not yet confirmed by the server, with its files (uploaded).
  function pending(body, clientId, attachments = []) {
    const node = element("li", "room-message is-sending");
    node.dataset.clientId = clientId;
    const meta = element("p", "room-message-meta");
    meta.append(element("bdi", "room-message-author", room.me.name), " ", element("span", "room-message-status", t("sending")));
    const text = element("div", "room-message-body", body);
    text.dir = "auto";
    node.append(meta, text);
    const attached = files.list(attachments);
    if (attached) node.append(attached);
    list.append(node);
    $("[data-empty]")?.remove();
    page.scrollTop = page.scrollHeight;
    return node;
  }

  // Keep the reader where they are: at the bottom if they were there, else still.
  function keepingView(change) {
    const atBottom = page.scrollHeight - page.scrollTop - page.clientHeight < NEAR_EDGE_PX;
    change();
    if (atBottom) page.scrollTop = page.scrollHeight;
  }

  // Older messages go in above: keep the distance to the bottom, so nothing jumps.
  function keepingBottomDistance(change) {
    const fromBottom = page.scrollHeight - page.scrollTop;
    change();
    page.scrollTop = page.scrollHeight - fromBottom;
  }

  // The server-rendered page (its times kept fresh by time.js): the buttons.
  function adopt() {
    decorateAll();
    // Opened where the member left off (the "new" divider), else at the newest message.
    const firstNew = document.getElementById("new");
    if (firstNew && !location.hash) firstNew.scrollIntoView({ block: "start" });
    else if (!location.hash) page.scrollTop = page.scrollHeight;
  }

  function decorateAll() {
    list.querySelectorAll("[data-id]").forEach(decorate);
  }

  return { apply, pending, keepingView, keepingBottomDistance, adopt, decorateAll };
}
