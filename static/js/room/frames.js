// The server's frames, each to the module it concerns (DESIGN.md, "Wire protocol").
// Frames about messages and catching up are the commands module's; the rest are here.

export function createFrames(ctx, { status, render, outbox, commands, presence, typing }) {
  const { t, words, room } = ctx;

  function moderation(frame) {
    const name = frame.user?.name ?? "";
    const mine = frame.user?.id === room.me.id;
    switch (frame.action) {
      case "mute":
        if (mine) room.mutedUntil = frame.until ? Date.parse(frame.until) : Infinity;
        status.notify(mine ? t("eventMuteMe", { until: frame.until ? words.time(frame.until) : "—" }) : t("eventMute", { name }));
        break;
      case "unmute":
        if (mine) room.mutedUntil = 0;
        status.notify(t("eventUnmute", { name }));
        break;
      case "ban":
        if (!mine) status.notify(t("eventBan", { name }));  // our own socket closes with 4403
        break;
      case "unban":
        status.notify(t("eventUnban", { name }));
        break;
      case "slow_mode":
        status.showSlowMode(frame.seconds);
        status.notify(t("eventSlowMode"));
        break;
      case "read_only":
        status.showReadOnly(frame.on);
        status.notify(t(frame.on ? "eventReadOnlyOn" : "eventReadOnlyOff"));
        break;
      default:  // "delete": the tombstone says it all
    }
  }

  const handlers = {
    ...commands.handlers,

    hello(frame) {
      ctx.connected = true;
      room.me = frame.me;
      if (status.applyRoom(frame.room)) render.decorateAll();
      commands.hello(frame);
      presence.hello(frame);
      status.setState("connected");
      outbox.connected();
    },

    "presence.changed": (frame) => presence.changed(frame),
    presence: (frame) => presence.full(frame),
    typing: (frame) => typing.seen(frame.user),
    moderation,
    reported: () => status.notify(t("reported")),

    error(frame) {
      outbox.answered(frame);
      status.notify(words.error(frame));
    },
  };

  return function receive(frame) {
    const handler = frame && typeof frame === "object" ? handlers[frame.type] : null;
    if (handler && Object.hasOwn(handlers, frame.type)) handler(frame);
  };
}
