// One "⋯" menu per message, a <details> (it opens and closes without script, and one at a
// time: they share a `name`): edit, delete, report, earlier versions and, for moderators,
// mute or ban the author. Each item is a full row a thumb's height, never a row of small
// words. Each is offered by the rule the server applies (realtime/checks.py); the server
// still decides, and says why in an `error` frame.
//
// Editing happens in place: the text as written (Markdown, not the HTML shown) is read
// from the message's edit page, the page that edits without JavaScript, and the change
// goes out as `edit` on the room's socket; the room answers `message.edited`, which
// replaces the message, editor and all. Earlier versions come from their page too.

import { element } from "./render.js";

export function createMessageMenu(ctx, { status }) {
  const { t, root, room } = ctx;
  const messagesUrl = root.dataset.messagesUrl || "";
  const bodyMax = Number(root.dataset.bodyMax) || undefined;

  const urlOf = (node, page) => `${messagesUrl}${encodeURIComponent(node.dataset.id)}/${page}/`;

  // What this reader may do to the message in `node`, by what the page knows now (hello's
  // room, moderation frames since): filled in each time the menu opens.
  function fill(node, items) {
    const own = node.dataset.authorId === room.me.id;
    const button = (action, label, extra = {}) => {
      const control = element("button", "", label);
      control.type = "button";
      Object.assign(control.dataset, { action, ...extra });
      items.append(control);
    };
    items.replaceChildren();
    const muted = room.mutedUntil > Date.now();  // as check_edit_message refuses it
    if (own && room.canPost && !room.readOnly && !room.stopped && !muted) button("edit", t("edit"));
    if (own || room.canModerate) button("delete", t("delete"));
    if (!own) button("report", t("report"));
    if (room.canModerate && node.querySelector(".room-message-edited")) {
      const link = element("a", "", t("versions"));
      link.href = urlOf(node, "versions");
      link.dataset.action = "versions";
      items.append(link);
    }
    if (room.canModerate && !own && node.dataset.authorId) {
      items.append(element("p", "item-menu-heading", t("moderate")));
      button("mute", t("muteShort"), { minutes: "10" });
      button("mute", t("muteLong"), { minutes: "1440" });
      button("unmute", t("unmute"));
      button("ban", t("ban"));
      button("unban", t("unban"));
    }
  }

  // Every confirmed message has one (its author may delete it, anyone else report it); the
  // server's own, made for pages without script, is replaced.
  function decorate(node) {
    node.querySelector(":scope > .message-menu")?.remove();
    if (node.classList.contains("is-deleted") || !node.dataset.id) return;
    const menu = element("details", "item-menu message-menu");
    menu.setAttribute("name", "message-menu");
    const toggle = element("summary", "item-menu-toggle message-menu-toggle");
    const dots = element("span", "", "⋯");
    dots.setAttribute("aria-hidden", "true");
    toggle.append(dots, element("span", "visually-hidden", t("actions")));
    const items = element("div", "item-menu-items");
    // A click (or Enter, or Space) on the toggle comes before it opens the menu.
    toggle.addEventListener("click", () => { if (!menu.open) fill(node, items); });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        toggle.focus();
      }
    });
    menu.append(toggle, items);
    node.append(menu);
  }

  function close(node) {
    const menu = node.querySelector(":scope > .message-menu");
    if (menu) menu.open = false;
    return menu;
  }

  // A page of this site read for one part of it; null when it could not be had.
  async function part(url, selector) {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return null;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      return page.querySelector(selector);
    } catch {
      return null;  // offline
    }
  }

  async function edit(node) {
    close(node);
    if (node.querySelector(".message-editor")) return;
    const field = await part(urlOf(node, "edit"), "[data-message-edit-form] textarea[name=body]");
    if (!field) {
      status.notify(t(navigator.onLine === false ? "errorOffline" : "errorForbidden"));
      return;
    }
    const body = node.querySelector(".room-message-body");
    if (!body || !node.isConnected || node.querySelector(".message-editor")) return;
    const form = element("form", "message-editor");
    const id = `edit-${node.dataset.id}`;
    const label = element("label", "visually-hidden", t("editLabel"));
    label.htmlFor = id;
    const box = element("textarea");
    Object.assign(box, { id, name: "body", rows: 3, required: true, value: field.value, dir: "auto" });
    if (bodyMax) box.maxLength = bodyMax;
    const save = element("button", "primary", t("save"));
    save.type = "submit";
    const cancel = element("button", "", t("cancel"));
    cancel.type = "button";
    const actions = element("div", "message-editor-actions");
    actions.append(save, cancel);
    form.append(label, box, actions);
    body.hidden = true;
    body.after(form);
    box.focus();

    const stop = () => {
      form.remove();
      body.hidden = false;
      node.querySelector(".message-menu-toggle")?.focus();
    };
    cancel.addEventListener("click", stop);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") stop();
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      if (text === field.value.trim()) stop();
      // `message.edited` replaces the whole message; a refusal is said and the editor stays.
      else if (!ctx.send({ type: "edit", id: node.dataset.id, body: text })) status.notify(t("errorOffline"));
    });
  }

  // Earlier versions, under the message; asked again, they fold away.
  async function versions(node, link) {
    close(node);
    const shown = node.querySelector(":scope > .message-versions");
    if (shown) {
      shown.remove();
      return;
    }
    const found = await part(link.href, "[data-versions]");
    if (!found) {
      status.notify(t("versionsUnavailable"));
      return;
    }
    const box = document.importNode(found, true);
    box.removeAttribute("data-versions");
    box.querySelector("[data-versions-current]")?.remove();  // the message itself, shown above
    box.tabIndex = -1;  // focused, so that a screen reader reads on from there
    node.querySelector(":scope > .message-menu")?.before(box);
    box.focus();
  }

  return { decorate, close, edit, versions };
}
