// The composer's files (DESIGN.md, "Files"): each chosen file is uploaded at once to
// POST /rooms/<slug>/files/ (field `file`), with its progress shown; the server cleans it
// and answers {id, name, size, type, url, preview_url}, or refuses it with its reason,
// shown on that file. Until the message is sent, any file can be taken off. The message
// then carries the uploaded files' ids (outbox.js keeps them with it until confirmed).
// While files are chosen, the tray says what cleaning removes and what it cannot.

import { sha256 } from "../evidence-hash.js";
import { element } from "./render.js";

export function startAttach(ctx, { status, files }) {
  const { $, t, root } = ctx;
  const input = $("[data-attach-input]");
  const tray = $("[data-attach-tray]");
  const hint = $("[data-attach-hint]");
  if (!input || !tray) return null;
  const most = Number(root.dataset.filesMax) || 10;
  const percent = attempt(() => new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "percent", numberingSystem: (document.documentElement.lang || "").startsWith("ar") ? "arab" : "latn",
  }));
  let chosen = [];  // {file, node, request, answer, refused}

  function show() {
    tray.hidden = chosen.length === 0;
    if (hint) hint.hidden = chosen.length === 0;
  }

  function say(entry, text, state) {
    entry.node.dataset.state = state;
    const box = entry.node.querySelector(".room-file-state");
    if (box.textContent !== text) box.textContent = text;
    if (state !== "uploading") entry.node.querySelector(".room-file-progress").textContent = "";
  }

  function choose(file) {
    if (chosen.length >= most) {
      status.notify(t("filesTooMany", { count: most }));
      return;
    }
    const node = element("li", "room-file");
    const name = element("bdi", "room-file-name", file.name);
    name.dir = "auto";
    const remove = element("button", "room-file-remove");
    remove.type = "button";
    remove.setAttribute("aria-label", t("fileRemove", { name: file.name }));
    const cross = element("span", "", "×");
    cross.setAttribute("aria-hidden", "true");
    remove.append(cross);
    // The state is read out as it changes (the tray is a polite live region); the percentage,
    // which changes many times a second, is for the eyes only.
    const progress = element("span", "room-file-progress");
    progress.setAttribute("aria-hidden", "true");
    node.append(name, " ", element("span", "room-file-state"), progress, remove);
    const entry = { file, node, request: null, answer: null, refused: false };
    remove.addEventListener("click", () => drop(entry, true));
    chosen.push(entry);
    tray.append(node);
    show();
    upload(entry);
  }

  // XMLHttpRequest, not fetch: only it tells how much of a large photo has gone out.
  function upload(entry) {
    const request = new XMLHttpRequest();
    entry.request = request;
    say(entry, t("fileUploading"), "uploading");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && percent && !entry.answer && !entry.refused) {
        entry.node.querySelector(".room-file-progress").textContent = percent.format(event.loaded / event.total);
      }
    });
    request.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch { /* a proxy's page: said below */ }
      if (request.status === 201 && typeof answer?.id === "string") {
        entry.answer = answer;
        say(entry, files.size(answer.size), "ready");
      } else {
        entry.refused = true;
        say(entry, answer?.detail || t("fileFailed"), "refused");
      }
    });
    request.addEventListener("error", () => {
      entry.refused = true;
      say(entry, t("fileFailed"), "refused");
    });
    const form = new FormData();
    form.append("file", entry.file, entry.file.name);
    request.open("POST", root.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", root.dataset.csrf || "");
    request.setRequestHeader("Accept", "application/json");
    keepAsEvidence(form, entry.file).then(() => request.send(form), () => request.send(form));
  }

  // Where the room keeps evidence and the member asked: the original's fingerprint, made
  // here before it leaves (the server refuses a file that changed on its way).
  async function keepAsEvidence(form, file) {
    if (!root.querySelector("[data-keep-original]")?.checked) return;
    form.append("keep_original", "on");
    if (root.querySelector("[data-keep-after-leaving]")?.checked) form.append("keep_after_leaving", "on");
    form.append("original_sha256", await sha256(file));
  }

  // Taken off before sending: an upload under way stops; an uploaded file is left unsent
  // (the server deletes such files after a day).
  function drop(entry, byHand = false) {
    if (!entry.answer && !entry.refused) entry.request?.abort();
    entry.node.remove();
    chosen = chosen.filter((other) => other !== entry);
    show();
    if (byHand) input.focus();
  }

  show();
  input.addEventListener("change", () => {
    [...input.files].forEach(choose);
    input.value = "";  // the same file can be chosen again; nothing goes with the form itself
  });

  return {
    // Why the message cannot go yet, if it cannot: a file on its way, or one refused
    // (taken off by hand, so that nobody thinks it went with the message).
    holdsBack() {
      const refused = chosen.find((entry) => entry.refused);
      if (refused) {
        refused.node.querySelector("button").focus();
        return t("filesRefused");
      }
      return chosen.some((entry) => !entry.answer) ? t("filesUploading") : "";
    },
    count: () => chosen.length,
    // The uploaded files, handed to the message; the tray is emptied (refusals included).
    take() {
      const taken = chosen.filter((entry) => entry.answer).map((entry) => entry.answer);
      [...chosen].forEach((entry) => drop(entry));
      return taken;
    },
  };
}

function attempt(make) {
  try {
    return make();
  } catch {
    return null;
  }
}
