// "Keep the original as evidence" (attachments/evidence/): before a post form is sent,
// each chosen file's SHA-256 is computed here, on the member's device (Web Crypto), and
// sent in hidden `original_sha256` fields, one per file in the order chosen. The server
// hashes what arrived and refuses a file that changed on its way.
const HEX = (byte) => byte.toString(16).padStart(2, "0");

export async function sha256(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), HEX).join("");
}

function hook(input) {
  const form = input.form;
  const name = input.dataset.fingerprints;
  let ready = Promise.resolve();
  let done = true;

  function compute() {
    done = false;
    for (const old of form.querySelectorAll(`input[type="hidden"][name="${name}"]`)) old.remove();
    ready = Promise.all(Array.from(input.files, sha256)).then((hashes) => {
      for (const hash of hashes) {
        const field = document.createElement("input");
        field.type = "hidden";
        field.name = name;
        field.value = hash;
        form.append(field);
      }
    }).finally(() => { done = true; });  // a file that cannot be read: the server says so
  }

  input.addEventListener("change", compute);
  if (input.files.length) compute();  // files a browser kept when coming back to the page
  form.addEventListener("submit", (event) => {
    if (done) return;
    event.preventDefault();  // sent once every fingerprint is in the form
    const submitter = event.submitter;
    ready.catch(() => {}).then(() => form.requestSubmit(submitter || undefined));
  });
}

if (globalThis.crypto && crypto.subtle) {
  for (const input of document.querySelectorAll('input[type="file"][data-fingerprints]')) hook(input);
}
