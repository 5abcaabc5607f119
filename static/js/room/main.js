// The room page, live (DESIGN.md, "Wire protocol" and "Reliability"). The page works
// without this module (server-rendered history and a plain form); here it takes over,
// over the site's one reconnecting socket (live-socket.js), resuming with ?after=<rev>.

import { createFiles, tapToLoad } from "../files.js";
import { liveSocket } from "../live-socket.js";
import { startAttach } from "./attach.js";
import { createCommands } from "./commands.js";
import { startComposer } from "./composer.js";
import { createFrames } from "./frames.js";
import { createMessageMenu } from "./message-menu.js";
import { createOutbox } from "./outbox.js";
import { createPresence } from "./presence.js";
import { startReadPosition } from "./read.js";
import { createRender } from "./render.js";
import { createStatus } from "./status.js";
import { createTyping } from "./typing.js";
import { words } from "./words.js";

// The states a final close code leaves the page in.
const FINAL_STATES = { 4401: "signed-out", 4403: "banned", 4404: "closed" };

const root = document.getElementById("room");
if (root && "WebSocket" in window) start(root);

function start(root) {
  const $ = (selector) => root.querySelector(selector);
  const said = words($("[data-room-strings]"));
  const ctx = {
    root, $, t: said.t, words: said, list: $("[data-messages]"),
    room: {
      me: { id: root.dataset.meId, name: root.dataset.meName || "" },
      canPost: root.dataset.canPost === "true",
      canModerate: root.dataset.canModerate === "true",
      readOnly: $("[data-read-only]")?.hidden === false,
      mutedUntil: Date.parse(root.dataset.mutedUntil || "") || 0,  // ms; moderation frames move it
      stopped: false,
    },
    connected: false,  // the server said hello on the current socket
    send: (frame) => ctx.connected && socket.send(frame),
    probe: () => socket.probe(),  // ask the link for an answer now (live-socket.js)
  };
  const status = createStatus(ctx);
  const menu = createMessageMenu(ctx, { status });
  const files = createFiles();
  const render = createRender(ctx, { menu, files });
  const outbox = createOutbox(ctx, render);
  const typing = createTyping(ctx);
  const presence = createPresence(ctx);
  const commands = createCommands(ctx, { render, outbox, typing, status, menu });
  const receive = createFrames(ctx, { status, render, outbox, commands, presence, typing });
  startComposer(ctx, { outbox, typing, status, attach: startAttach(ctx, { status, files }) });
  tapToLoad(ctx.list);
  render.adopt();
  outbox.restore();  // after the server's history, below it: what this tab wrote unconfirmed
  startReadPosition(ctx);
  liftAboveDock($(".room-dock"), root);

  function onState(state, code) {
    if (state === "connected") return;  // said at `hello`, once the room is really open
    ctx.connected = false;
    presence.away();
    if (state !== "closed") {
      status.setState(state);
      return;
    }
    ctx.room.stopped = true;
    status.setState(FINAL_STATES[code] ?? "closed");
    status.updateComposer();
    outbox.stop();
    if (code === 4401 && root.dataset.loginUrl) location.assign(root.dataset.loginUrl);
  }

  const socket = liveSocket(() => commands.path(), { onFrame: receive, onState });
  // Logout or quick exit from this page: the room ends here, without a last retry or a
  // trip to the login page racing the page that follows.
  window.addEventListener("majlis:forget", () => socket.stop());
}

// The quick exit floats at the foot of the screen, where the dock (message box, attach and
// send buttons) sits: it is lifted above the dock's top (static/css/majlis.css), which is
// the dock's height once the room fills the screen, and higher while it does not.
function liftAboveDock(dock, room) {
  if (!dock) return;
  const lift = () => {
    const above = Math.max(dock.offsetHeight, window.innerHeight - dock.getBoundingClientRect().top);
    document.documentElement.style.setProperty("--dock-height", `${Math.round(above)}px`);
  };
  lift();
  if (window.ResizeObserver) {
    const watch = new ResizeObserver(lift);
    watch.observe(dock);
    watch.observe(room);  // a message or a picture arriving moves the dock down
  }
  window.addEventListener("resize", lift, { passive: true });
  window.addEventListener("scroll", lift, { passive: true });
}
