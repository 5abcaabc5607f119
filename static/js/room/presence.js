// Who is in the room (DESIGN.md, "Presence"). `hello` brings at most 100 of them and the
// total; after that only changes come (`presence.changed`: who joined, who left, the new
// total), so the list here is kept by id and changed in place. A reconnect's `hello`
// replaces it whole: what changed while we were away is in it. The count is the server's
// total; the list shows the members this page knows of, by name.

import { element } from "./render.js";

export function createPresence(ctx) {
  const { $, t, words } = ctx;
  const box = $("[data-presence-box]");
  const list = $("[data-presence]");
  const label = $("#room-presence-label");
  const people = new Map();  // id -> {name, node}
  const byName = attempt(() => new Intl.Collator(document.documentElement.lang || undefined));

  function node(person) {
    const item = element("li");
    item.dataset.personId = person.id;
    item.append(element("bdi", "", person.name));
    return item;
  }

  function before(a, b) {
    return (byName ? byName.compare(a, b) : a.localeCompare(b)) < 0;
  }

  function add(person) {
    if (!person || typeof person.id !== "string" || people.has(person.id)) return;
    const entry = { name: String(person.name ?? ""), node: node(person) };
    const next = [...people.values()].find((other) => before(entry.name, other.name));
    list?.insertBefore(entry.node, next ? next.node : null);
    people.set(person.id, entry);
  }

  function remove(id) {
    people.get(id)?.node.remove();
    people.delete(id);
  }

  function replace(online, total) {
    for (const id of [...people.keys()]) remove(id);
    (Array.isArray(online) ? online : []).forEach(add);
    show(total);
  }

  function show(total) {
    const count = Number.isInteger(total) && total >= 0 ? total : people.size;
    if (label) label.textContent = t("onlineCount", { count: words.number(count) });
    if (!box) return;
    box.dataset.online = String(count);
    box.hidden = count === 0 && people.size === 0;
    delete box.dataset.stale;
  }

  return {
    hello(frame) {
      replace(frame.online, frame.online_count);
    },
    changed(frame) {
      (Array.isArray(frame.left) ? frame.left : []).forEach(remove);
      (Array.isArray(frame.joined) ? frame.joined : []).forEach(add);
      show(frame.online_count);
    },
    // The full list of the protocol before presence.changed: still understood.
    full(frame) {
      replace(frame.online, frame.online_count);
    },
    // Disconnected: the list stays (a short drop should not make everyone vanish and
    // reappear) but is marked stale until the next hello replaces it.
    away() {
      if (box) box.dataset.stale = "true";
    },
  };
}

function attempt(make) {
  try {
    return make();
  } catch {
    return null;
  }
}
