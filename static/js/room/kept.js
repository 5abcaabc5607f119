// The outbox as kept in this tab (DESIGN.md, "Reliability"): what was written and not yet
// confirmed survives a reload and goes out once afterwards, under the same client_id, with
// the files it carries (their upload answers: uploaded once, sent by id).
//
// Why sessionStorage, not localStorage: a phone can be taken from its owner. Text kept per
// tab is gone when the tab closes, and is never read by another tab. Logout and quick exit
// empty it all (static/js/exit.js; Clear-Site-Data on their responses). Why a key per member
// and room: an account signed in later in the same tab must never send another's text, so
// any other member's entries are dropped unread.

const PREFIX = "majlis.outbox.";

function storage() {
  try {
    return window.sessionStorage;  // reading it throws where storage is switched off
  } catch {
    return null;
  }
}

// Logout or quick exit (static/js/exit.js): nothing is written any more, though the page
// still runs for a moment (a confirmation arriving must not write the rest back).
let forgotten = false;
window.addEventListener("majlis:forget", () => { forgotten = true; });

export function keptOutbox(memberId, roomSlug) {
  const store = memberId ? storage() : null;
  const mine = `${PREFIX}${memberId}.`;
  const key = `${mine}${roomSlug}`;

  function forgetOthers() {
    for (let index = store.length - 1; index >= 0; index -= 1) {
      const name = store.key(index);
      if (name?.startsWith(PREFIX) && !name.startsWith(mine)) store.removeItem(name);
    }
  }

  // [{clientId, body, attachments}], oldest first; anything unreadable is dropped.
  function load() {
    if (!store) return [];
    try {
      forgetOthers();
      const entries = JSON.parse(store.getItem(key) || "[]");
      return Array.isArray(entries)
        ? entries.filter((entry) => typeof entry?.clientId === "string" && typeof entry.body === "string")
          .map((entry) => ({ ...entry, attachments: files(entry.attachments) }))
        : [];
    } catch {
      return [];
    }
  }

  function save(entries) {
    if (!store || forgotten) return;
    try {
      const kept = entries.map(({ clientId, body, attachments }) => ({ clientId, body, attachments: attachments ?? [] }));
      if (entries.length) store.setItem(key, JSON.stringify(kept));
      else store.removeItem(key);
    } catch { /* full or switched off: the page still holds them until it is closed */ }
  }

  return { load, save };
}

// An entry's files as kept: upload answers with at least an id; anything else dropped.
function files(list) {
  return Array.isArray(list) ? list.filter((file) => typeof file?.id === "string") : [];
}
