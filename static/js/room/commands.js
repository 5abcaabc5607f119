// What the room asks the server for: the changes it lacks (`sync`, on a `rev` gap and on
// every reconnect, through ?after=<rev>), earlier messages on scroll-back (`history`),
// and the actions on a message (its "⋯" menu: edit, delete, report, earlier versions, mute,
// ban) or on the room (moderation).

const HISTORY_PAGE = 50;
const SCROLL_EDGE_PX = 48;

export function createCommands(ctx, { render, outbox, typing, status, menu }) {
  const { $, t, root, list } = ctx;
  const olderButton = $("[data-load-older]");

  // Every change up to `rev` is on the page; `seenRev` is the highest any frame told of.
  let rev = Number(root.dataset.rev) || 0;
  let seenRev = rev;
  let syncing = false;
  let hasMore = root.dataset.hasMore === "true";
  let olderPending = false;

  function apply(m, options = {}) {
    if (render.apply(m, { hasMore, ...options }) && m.author.id === ctx.room.me.id && m.client_id) {
      outbox.settle(m.client_id);
    }
  }

  function requestSync() {
    if (syncing || !ctx.connected) return;  // a socket still to open resumes with ?after= anyway
    syncing = true;
    ctx.send({ type: "sync", after: rev });
  }

  function loadOlder() {
    const first = list.querySelector("[data-seq]");
    if (!hasMore || olderPending || !first) return;
    if (ctx.send({ type: "history", before: Number(first.dataset.seq), limit: HISTORY_PAGE })) olderPending = true;
  }

  function updateOlderButton() {
    if (olderButton) olderButton.hidden = !hasMore;
  }

  // `message`, `message.edited`, `message.deleted`: one change, one rev further.
  function changed(frame) {
    const m = frame.message;
    if (!m) return;
    render.keepingView(() => apply(m));
    if (frame.type === "message") typing.stopped(m.author?.id);
    seenRev = Math.max(seenRev, m.rev);
    if (m.rev === rev + 1) rev = m.rev;
    else if (m.rev > rev) requestSync();  // a change was lost on the way: ask for it
  }

  const handlers = {
    sync(frame) {
      render.keepingView(() => frame.messages.forEach((m) => apply(m)));
      if (frame.has_more && frame.messages.length) {
        // Oldest change first: everything up to the last one is here now.
        rev = Math.max(rev, frame.messages[frame.messages.length - 1].rev);
        ctx.send({ type: "sync", after: rev });
        return;
      }
      rev = Math.max(rev, frame.rev);
      seenRev = Math.max(seenRev, rev);
      syncing = false;
      if (seenRev > rev) requestSync();
    },

    history(frame) {
      if (!olderPending) {
        render.keepingView(() => frame.messages.forEach((m) => apply(m)));
        return;
      }
      olderPending = false;
      render.keepingBottomDistance(() => frame.messages.forEach((m) => apply(m, { older: true })));
      hasMore = frame.has_more;
      updateOlderButton();
    },

    message: changed,
    "message.edited": changed,
    "message.deleted": changed,

    pong(frame) {
      seenRev = Math.max(seenRev, frame.rev);
      if (frame.rev > rev) requestSync();
    },
  };

  // A click on a message's button: the frame of the protocol, after asking what it needs.
  function act(button) {
    const action = button.dataset.action;
    const node = button.closest(".room-message");
    if (action === "retry") {
      outbox.retry(node.dataset.clientId);
      return;
    }
    menu.close(node);
    if (action === "edit") {
      menu.edit(node);
      return;
    }
    if (action === "versions") {
      menu.versions(node, button);
      return;
    }
    const id = node.dataset.id;
    const user = node.dataset.authorId;
    let frame = null;
    if (action === "delete") {
      if (window.confirm(t("deleteConfirm"))) frame = { type: "delete", id };
    } else if (action === "report") {
      const reason = window.prompt(t("reportPrompt"));
      if (reason && reason.trim()) frame = { type: "report", id, reason: reason.trim() };
    } else if (action === "mute" || action === "ban") {
      const reason = window.prompt(t("reasonPrompt"));
      if (reason !== null) {
        frame = action === "mute"
          ? { type: "mute", user, minutes: Number(button.dataset.minutes), reason: reason.trim() }
          : { type: "ban", user, reason: reason.trim() };
      }
    } else if (action === "unmute" || action === "unban") {
      frame = { type: action, user };
    }
    if (frame) sendOrSay(frame);
  }

  function sendOrSay(frame) {
    if (!ctx.send(frame)) status.notify(t("errorOffline"));
  }

  // The moderators' panel: slow mode and read-only for the whole room.
  function startModeration() {
    const panel = $("[data-moderation]");
    if (!panel) return;
    panel.hidden = false;
    $("[data-slow-mode-form]")?.addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = Number(event.target.elements.seconds.value);
      if (Number.isInteger(seconds)) sendOrSay({ type: "slow_mode", seconds });
    });
    $("[data-room-action='read-only']")?.addEventListener("click", () => {
      sendOrSay({ type: "read_only", on: !ctx.room.readOnly });
    });
  }

  list.addEventListener("click", (event) => {
    const control = event.target.closest("button[data-action], a[data-action]");
    if (!control || !list.contains(control)) return;
    // A link still opens its page in a new tab (or without script); here it opens in place.
    if (control.tagName === "A") {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
    }
    act(control);
  });
  // The room scrolls with the page: near its top, the older messages are asked for.
  const page = document.scrollingElement;
  window.addEventListener("scroll", () => {
    if (page.scrollTop < SCROLL_EDGE_PX && page.scrollHeight > page.clientHeight) loadOlder();
  }, { passive: true });
  olderButton?.addEventListener("click", loadOlder);
  startModeration();
  updateOlderButton();

  return {
    handlers,
    // The path of the next socket: it resumes after what this page has, answered by sync.
    path() {
      syncing = true;
      olderPending = false;
      return `${root.dataset.wsPath}?after=${rev}`;
    },
    hello(frame) {
      seenRev = Math.max(seenRev, frame.rev);
    },
  };
}
