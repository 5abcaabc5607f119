// "… is typing": shown for the others' `typing` frames, sent (at most every few seconds)
// while the reader writes.

const TYPING_EVERY_MS = 3000;     // the server passes on one `typing` per 3 s anyway
const TYPING_SHOWN_MS = 5000;

export function createTyping(ctx) {
  const { $, t, words, room } = ctx;
  const box = $("[data-typing]");
  const typists = new Map();      // user id -> {name, timer}
  let lastSent = 0;

  function show() {
    if (!box) return;
    const names = [...typists.values()].map((typist) => typist.name);
    box.textContent = names.length ? t(names.length === 1 ? "typingOne" : "typingMany", { names: words.list(names) }) : "";
  }

  function seen(user) {
    if (!user || user.id === room.me.id) return;
    clearTimeout(typists.get(user.id)?.timer);
    typists.set(user.id, { name: user.name, timer: setTimeout(() => stopped(user.id), TYPING_SHOWN_MS) });
    show();
  }

  // Their message arrived (or the time passed): they are no longer typing.
  function stopped(userId) {
    const typist = typists.get(userId);
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(userId);
    show();
  }

  function typed(text) {
    const now = Date.now();
    if (!text.trim() || now - lastSent < TYPING_EVERY_MS) return;
    if (ctx.send({ type: "typing" })) lastSent = now;
  }

  return { seen, stopped, typed };
}
