// The header's unread count, live; and on a thread page, new posts and hidden posts live.
import { liveSocket } from "./live-socket.js";

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

const posts = document.getElementById("posts");
if (posts && posts.dataset.threadId) {
  const template = document.getElementById("live-post-template");
  const hiddenText = posts.dataset.hiddenText || "";

  function addPost(post) {
    if (!template || document.getElementById(`p-${post.id}`)) return;  // drop duplicates
    const node = template.content.firstElementChild.cloneNode(true);
    node.id = `p-${post.id}`;
    node.dataset.postId = post.id;
    node.querySelector(".author").textContent = post.author.name;
    const time = node.querySelector("time");
    time.dateTime = post.created;
    time.textContent = post.created.slice(0, 16).replace("T", " ");
    // body_html is the server's sanitiser output, the same HTML the page itself shows.
    node.querySelector(".post-body").innerHTML = post.body_html;
    // Appended below the reader: the part of the page they are reading does not move.
    posts.append(node);
  }

  function hidePost(id) {
    const node = document.getElementById(`p-${id}`);
    if (!node) return;
    node.classList.add("is-hidden");
    const body = node.querySelector(".post-body");
    if (body) {
      const note = document.createElement("p");
      note.className = "hidden-note";
      note.textContent = hiddenText;
      body.replaceWith(note);
    }
  }

  liveSocket(`/ws/threads/${encodeURIComponent(posts.dataset.threadId)}/`, {
    onFrame(frame) {
      if (frame.type === "post") addPost(frame.post);
      else if (frame.type === "post.hidden") hidePost(frame.id);
    },
  });
}
