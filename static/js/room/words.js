// Every word the room shows comes from the template's data-* attributes, already in the
// reader's language; here they are filled in ({name}, {seconds} …) and dates (as every
// page writes them: time.js) and lists are written the reader's way.
import { fullDate } from "../time.js";

const ERROR_KEYS = {
  rate_limited: "errorRateLimited", muted: "errorMuted", read_only: "errorReadOnly",
  too_long: "errorTooLong", forbidden: "errorForbidden", not_found: "errorNotFound",
};

export function words(box) {
  const strings = { ...(box?.dataset ?? {}) };
  const lang = document.documentElement.lang || undefined;
  const lists = attempt(() => new Intl.ListFormat(lang, { type: "conjunction" }));
  const numbers = attempt(() => new Intl.NumberFormat(lang));

  function t(key, values = {}) {
    return (strings[key] ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  return {
    t,
    time: (iso) => fullDate(iso) ?? iso,
    list: (names) => (lists ? lists.format(names) : names.join(", ")),
    number: (n) => (numbers ? numbers.format(n) : String(n)),
    error: (frame) => t(ERROR_KEYS[frame.code] ?? "errorBadRequest", { seconds: frame.retry_after ?? "" }),
  };
}

function attempt(make) {
  try {
    return make();
  } catch {
    return null;  // an old browser: the raw value is still readable
  }
}
