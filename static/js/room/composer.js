// The message form, taken over: Enter sends (Shift+Enter is a new line), the text goes
// to the outbox and shows at once as "sending"; typing is announced to the others.

export function startComposer(ctx, { outbox, typing, status }) {
  const { $, t } = ctx;
  const composer = $("[data-composer]");
  const textarea = composer?.querySelector("textarea");
  if (!composer || !textarea) return;
  const bodyMax = Number(ctx.root.dataset.bodyMax) || 4000;

  function submit() {
    const body = textarea.value;
    if (!body.trim() || ctx.room.stopped) return;
    if ([...body.trim()].length > bodyMax) {  // characters, as the server counts them
      status.notify(t("errorTooLong"));
      return;
    }
    textarea.value = "";
    outbox.add(body);
  }

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
  textarea.addEventListener("input", () => typing.typed(textarea.value));
  $("[data-composer-hint]")?.removeAttribute("hidden");
}
