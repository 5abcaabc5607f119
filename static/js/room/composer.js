// The message form, taken over: the text, with the files uploaded for it (attach.js), goes
// to the outbox and shows at once as "sending"; typing is announced to the others. A
// message may be files only.
//
// Which key sends: on a desktop keyboard Enter sends and Shift+Enter starts a new line,
// as in every chat. On a touch screen there is no Shift to hold, so Enter is a new line
// and the send button (44 x 44, static/css/rooms.css) sends. Ctrl/Cmd+Enter sends on both
// (a tablet with a keyboard). Asked at each key press: a keyboard may be plugged in.
const touchScreen = window.matchMedia?.("(pointer: coarse)");

export function startComposer(ctx, { outbox, typing, status, attach }) {
  const { $, t } = ctx;
  const composer = $("[data-composer]");
  const textarea = composer?.querySelector("textarea");
  if (!composer || !textarea) return;
  const bodyMax = Number(ctx.root.dataset.bodyMax) || 4000;

  function submit() {
    const body = textarea.value;
    if ((!body.trim() && !attach?.count()) || ctx.room.stopped) return;
    if ([...body.trim()].length > bodyMax) {  // characters, as the server counts them
      status.notify(t("errorTooLong"));
      return;
    }
    const held = attach?.holdsBack();
    if (held) {
      status.notify(held);
      return;
    }
    textarea.value = "";
    outbox.add(body, attach ? attach.take() : []);
  }

  function enterSends(event) {
    if (event.ctrlKey || event.metaKey) return true;
    return !event.shiftKey && !touchScreen?.matches;
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (event) => {
    // Not while an input method is composing: its Enter picks a word.
    if (event.key === "Enter" && !event.isComposing && enterSends(event)) {
      event.preventDefault();
      submit();
    }
  });
  textarea.addEventListener("input", () => typing.typed(textarea.value));

  // The hint tells keyboards what Enter does; on a touch screen Enter does what it does in
  // any text box, and the dock keeps the line for the messages.
  const hint = $("[data-composer-hint]");
  const showHint = () => { if (hint) hint.hidden = Boolean(touchScreen?.matches); };
  showHint();
  touchScreen?.addEventListener?.("change", showHint);

  // The skip link (room.html) lands in the box itself, without changing the address.
  document.querySelector("a[data-skip-to-composer]")?.addEventListener("click", (event) => {
    event.preventDefault();
    textarea.focus();
  });
}
