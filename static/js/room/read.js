// How far the member has read in this room (realtime/services/reading.py): told to the
// server when the page is put away or left, so that the home page's unread count and
// the next visit's "new" divider start after the newest message shown here.

export function startReadPosition(ctx) {
  const url = ctx.root.dataset.readUrl;
  const token = ctx.root.dataset.csrf;
  if (!url || !token || !navigator.sendBeacon) return;
  let told = 0;

  function newestShown() {
    const last = [...ctx.list.querySelectorAll("[data-seq]")].pop();
    return last ? Number(last.dataset.seq) : 0;
  }

  function tell() {
    const seq = newestShown();
    if (seq <= told) return;
    const form = new FormData();
    form.append("csrfmiddlewaretoken", token);
    form.append("seq", String(seq));
    if (navigator.sendBeacon(url, form)) told = seq;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") tell();
  });
  window.addEventListener("pagehide", tell);
}
