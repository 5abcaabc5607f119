// The header's unread count, live, on every page of a member; the page's times kept
// fresh ("now" becomes "1 minute ago"); on a thread page, the thread's own live script
// too (loaded only there).
import { liveSocket } from "./live-socket.js";
import { keepFresh } from "./time.js";

keepFresh();

const counter = document.getElementById("unread-count");

function showCount(count) {
  if (!counter) return;
  counter.textContent = String(count);
  counter.dataset.count = String(count);
  counter.hidden = count === 0;
}

liveSocket("/ws/notifications/", {
  onFrame(frame) {
    if (frame.type === "unread") showCount(frame.count);
  },
});

if (document.getElementById("posts")?.dataset.threadId) import("./thread.js");
