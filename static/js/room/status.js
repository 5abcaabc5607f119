// What the room page says about itself: the connection state, short notices, and the
// room's settings (read-only, slow mode) with the composer they open or close.

const NOTICE_SHOWN_MS = 10000;

export function createStatus(ctx) {
  const { $, t, room } = ctx;
  const stateBox = $("[data-connection-state]");
  const noticeBox = $("[data-notice]");
  const composer = $("[data-composer]");
  let noticeTimer = null;

  // "signed-out" reads the string data-state-signed-out, i.e. dataset.stateSignedOut.
  // The box is a polite live region: each change is read out once, so the same state
  // (every attempt of a reconnection says "reconnecting") is not written again.
  function setState(state) {
    if (!stateBox || (stateBox.dataset.connectionState === state && !stateBox.hidden)) return;
    stateBox.dataset.connectionState = state;
    stateBox.textContent = t(`state${state.replace(/(^|-)(\w)/g, (_, dash, c) => c.toUpperCase())}`);
    stateBox.hidden = false;
  }

  function notify(text) {
    if (!noticeBox || !text) return;
    noticeBox.textContent = text;
    noticeBox.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { noticeBox.hidden = true; }, NOTICE_SHOWN_MS);
  }

  function updateComposer() {
    if (!composer) return;
    const closed = room.stopped || room.readOnly || !room.canPost;
    for (const control of composer.querySelectorAll("textarea, button, input[type=file]")) control.disabled = closed;
  }

  function showReadOnly(on) {
    room.readOnly = Boolean(on);
    const flag = $("[data-read-only]");
    if (flag) flag.hidden = !room.readOnly;
    $("[data-room-action='read-only']")?.setAttribute("aria-pressed", String(room.readOnly));
    updateComposer();
  }

  function showSlowMode(seconds) {
    const flag = $("[data-slow-mode]");
    if (flag) {
      flag.hidden = !seconds;
      if (seconds) flag.textContent = t("slowModeLabel", { seconds });
    }
    const input = $("[data-slow-mode-form] input");
    if (input && document.activeElement !== input) input.value = String(seconds || 0);
  }

  // `hello`'s room: true when the reader's moderator powers changed (buttons to redo).
  function applyRoom(settings) {
    const moderatorBefore = room.canModerate;
    room.canPost = settings.can_post;
    room.canModerate = settings.can_moderate;
    showReadOnly(settings.read_only);
    showSlowMode(settings.slow_mode_seconds);
    return moderatorBefore !== room.canModerate;
  }

  return { setState, notify, updateComposer, showReadOnly, showSlowMode, applyRoom };
}
