// A thread page, live: new posts and hidden posts arrive over /ws/threads/<id>/
// (DESIGN.md, "Wire protocol"), on the site's one reconnecting socket. A post's frame
// carries no files: each live post's are asked for (GET /files/details/?post=) and shown
// under it as the page shows them. Pictures load in full in place when tapped.
import { createFiles, tapToLoad } from "./files.js";
import { liveSocket } from "./live-socket.js";
import { show } from "./time.js";

const posts = document.getElementById("posts");

// Opened without a post in its address, the page is the one where the reader's new posts
// begin (forum/views/content.py): bring them to the divider.
const firstNew = document.getElementById("new");
if (firstNew && !location.hash) firstNew.scrollIntoView({ block: "start" });
if (posts && posts.dataset.threadId) {
  const template = document.getElementById("live-post-template");
  const hiddenText = posts.dataset.hiddenText || "";
  const files = createFiles();

  function addPost(post) {
    if (!template || document.getElementById(`p-${post.id}`)) return;  // drop duplicates
    const node = template.content.firstElementChild.cloneNode(true);
    node.id = `p-${post.id}`;
    node.dataset.postId = post.id;
    node.querySelector(".author").textContent = post.author.name;
    const time = node.querySelector("time");
    time.dateTime = post.created;
    show(time);
    // body_html is the server's sanitiser output, the same HTML the page itself shows.
    node.querySelector(".post-body").innerHTML = post.body_html;
    // Appended below the reader: the part of the page they are reading does not move.
    posts.append(node);
    files.ofPost(post.id).then((found) => {
      const list = files.list(found);
      if (list && node.isConnected) node.querySelector(".post-body").after(list);
    });
  }

  // As the page itself shows a hidden post: its place only, without text, id, link or
  // action (the id would open nothing now, and need not stay on the reader's screen).
  function hidePost(id) {
    const node = document.getElementById(`p-${id}`);
    if (!node) return;
    node.classList.add("is-hidden");
    node.removeAttribute("id");
    delete node.dataset.postId;
    node.querySelectorAll(".post-body, .post-actions, .revisions, .hidden-note").forEach((part) => part.remove());
    const note = document.createElement("p");
    note.className = "hidden-note";
    note.textContent = hiddenText;
    node.append(note);
  }

  tapToLoad(posts);
  liveSocket(`/ws/threads/${encodeURIComponent(posts.dataset.threadId)}/`, {
    onFrame(frame) {
      if (frame.type === "post") addPost(frame.post);
      else if (frame.type === "post.hidden") hidePost(frame.id);
    },
  });
}
