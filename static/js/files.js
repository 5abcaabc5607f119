// Files of room messages and posts, as templates/attachments/_list.html shows them: a
// picture as its small preview with "Tap to load the full picture (1.4 MB)" (or in full,
// when the reader turned on "Load full pictures automatically"), documents and recordings
// as downloads with their kind and size, each with its fingerprint (SHA-256).
//
// A room message's frame carries each file's id, name, size, type and URLs (DESIGN.md), not
// its fingerprint or a picture's size: those come after, for every file shown in one go,
// from GET /files/details/ (which answers only what the reader may see). A thread's live
// post frame carries no files at all: `ofPost` asks the same page for them.

const KIB = 1024;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A full picture instead of its preview, in place (the link still opens it on its own).
function loadFull(item) {
  const link = item.querySelector(".attachment-full");
  const image = item.querySelector(".attachment-preview img");
  if (!link || !image) return;
  const { width, height } = item.dataset;
  if (width && height) Object.assign(image, { width: Number(width), height: Number(height) });
  image.src = link.getAttribute("href");
  link.remove();
}

// A tap on "Tap to load…" anywhere inside `container` (server-rendered or not).
export function tapToLoad(container) {
  container?.addEventListener("click", (event) => {
    const link = event.target.closest?.(".attachment-full");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    loadFull(link.closest(".attachment"));
  });
}

export function createFiles(box = document.querySelector("[data-file-strings]")) {
  const strings = { ...(box?.dataset ?? {}) };
  const automatic = strings.loadFull === "true";
  const lang = document.documentElement.lang || "en";
  const numbers = attempt(() => new Intl.NumberFormat(lang, {
    maximumFractionDigits: 1, numberingSystem: lang.startsWith("ar") ? "arab" : "latn",
  }));
  const known = new Map();    // id -> details, for a message shown again (edited, repeated)
  const waiting = new Set();  // ids whose details are asked for with the next request
  let asking = null;

  const t = (key, values = {}) => (strings[key] ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

  // As attachments/templatetags/files.py writes it: "1.4 MB", "١٫٤ ميغابايت".
  function size(bytes) {
    const count = Math.max(0, Number(bytes) || 0);
    const [key, value] = count < KIB ? ["bytes", count] : count < KIB * KIB ? ["kb", count / KIB] : ["mb", count / KIB / KIB];
    const rounded = Math.round(value * 10) / 10;
    return t(key, { size: numbers ? numbers.format(rounded) : String(rounded) });
  }

  function item(file) {
    const node = element("li", "attachment");
    node.dataset.fileId = file.id;
    const picture = file.type?.startsWith("image/");
    if (picture) {
      const full = automatic || !file.preview_url;
      const link = element("a", "attachment-preview");
      link.href = file.url;
      const image = element("img");
      Object.assign(image, { src: full ? file.url : file.preview_url, alt: t("picture", { name: file.name }), loading: "lazy" });
      link.append(image);
      node.append(link);
      if (!full) {
        const tap = element("a", "attachment-full", t("tap", { size: size(file.size) }));
        tap.href = file.url;
        node.append(tap);
      }
    } else {
      const link = element("a", "attachment-download");
      link.href = file.url;
      link.setAttribute("download", "");
      const name = element("bdi", "", file.name);
      name.dir = "auto";
      link.append(name);
      const kind = t(file.type === "application/pdf" ? "pdf" : "recording");
      node.append(link, " ", element("span", "meta", `${kind}, ${size(file.size)}`));
    }
    const print = element("details", "fingerprint");
    const summary = element("summary", "", `${t("fingerprint")} `);
    const short = element("code", "", "…");
    const whole = element("code");
    short.dir = whole.dir = "ltr";
    summary.append(short);
    print.append(summary, whole);
    node.append(print);
    const details = file.fingerprint ? file : known.get(file.id);
    if (details) fill(node, details);
    else ask(file.id);
    return node;
  }

  // The fingerprint and a picture's sizes, once known.
  function fill(node, details) {
    const [short, whole] = node.querySelectorAll(".fingerprint code");
    if (details.fingerprint && short && whole) {
      short.textContent = `${details.fingerprint.slice(0, 12)}…`;
      whole.textContent = details.fingerprint;
    }
    if (details.width) Object.assign(node.dataset, { width: details.width, height: details.height });
    const image = node.querySelector(".attachment-preview img");
    const shownFull = image && !node.querySelector(".attachment-full");
    const [width, height] = shownFull ? [details.width, details.height] : [details.preview_width, details.preview_height];
    if (image && width && height && !image.getAttribute("width")) Object.assign(image, { width, height });
  }

  // The <ul> of a message's or post's files; null when it has none.
  function list(files) {
    if (!Array.isArray(files) || !files.length) return null;
    const box = element("ul", "attachments");
    for (const file of files) if (file && typeof file.id === "string") box.append(item(file));
    return box;
  }

  function ask(id) {
    waiting.add(id);
    asking ??= setTimeout(describeWaiting, 0);  // every file of one frame in one request
  }

  async function describeWaiting() {
    const ids = [...waiting];
    waiting.clear();
    asking = null;
    for (let start = 0; start < ids.length; start += 100) {
      const query = new URLSearchParams(ids.slice(start, start + 100).map((id) => ["id", id]));
      for (const details of await fetchDetails(query)) {
        known.set(details.id, details);
        document.querySelectorAll(`[data-file-id="${CSS.escape(details.id)}"]`).forEach((node) => fill(node, details));
      }
    }
  }

  async function fetchDetails(query) {
    try {
      const response = await fetch(`${strings.detailsUrl}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const answer = response.ok ? await response.json() : null;
      return Array.isArray(answer?.files) ? answer.files : [];
    } catch {
      return [];  // offline: the fingerprint shows "…" until the page is loaded again
    }
  }

  // A post's files (its live frame has none), with their details: [] when it has none.
  const ofPost = (postId) => fetchDetails(new URLSearchParams({ post: postId }));

  return { list, size, ofPost };
}

function attempt(make) {
  try {
    return make();
  } catch {
    return null;
  }
}
