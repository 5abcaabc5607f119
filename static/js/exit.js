// Quick exit (issue 13, item 3): the button on every page, or Escape pressed three times.
// It hides the page at once, forgets everything Majlis stored in this browser, ends the
// session on the server, and replaces this page in the history with a neutral one, so Back
// does not come back here. Without JavaScript, the button is a plain form doing the server part.

const form = document.querySelector("form.quick-exit");
const ESCAPES = 3;
const WITHIN_MS = 1500;
const WAIT_FOR_SERVER_MS = 1500;
let leaving = false;
let escapes = [];

// Pages that keep things (a room's outbox) hear it first, and stop writing them back.
function forgetKept() {
  window.dispatchEvent(new Event("majlis:forget"));
  for (const storage of [window.localStorage, window.sessionStorage]) {
    try { storage.clear(); } catch { /* storage may be switched off */ }
  }
}

async function forgetStorage() {
  forgetKept();
  try {
    if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
  } catch { /* nothing cached */ }
  try {
    if (indexedDB.databases) for (const db of await indexedDB.databases()) indexedDB.deleteDatabase(db.name);
  } catch { /* no databases */ }
}

async function leave() {
  if (leaving) return;
  leaving = true;
  const body = new FormData(form);  // its CSRF token, read before the page is emptied
  document.title = "";
  document.body.replaceChildren();  // nothing of the page stays on screen while we finish
  const ended = fetch(form.action, {
    method: "POST", body, credentials: "same-origin", keepalive: true, redirect: "manual",
  }).catch(() => null);
  await forgetStorage();
  await Promise.race([ended, new Promise((done) => setTimeout(done, WAIT_FOR_SERVER_MS))]);
  window.location.replace(form.dataset.neutral);
}

// Logging out forgets what this tab kept (a room's unconfirmed messages), at once and
// whatever the server's answer: the logout response's Clear-Site-Data needs a secure origin.
for (const logout of document.querySelectorAll("form[data-logout]")) {
  logout.addEventListener("submit", forgetKept);
}

if (form) {
  form.addEventListener("submit", (event) => { event.preventDefault(); leave(); });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    escapes = escapes.filter((time) => now - time < WITHIN_MS).concat(now);
    if (escapes.length >= ESCAPES) leave();
  });
}
