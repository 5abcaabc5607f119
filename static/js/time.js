// One way to write a moment, as the server writes it (forum/times.py): relative for the
// last week ("3 hours ago", "قبل ٣ ساعات"), else "3 Dec 2026, 14:05" (the day first), in
// the page's language and the reader's zone (<html data-tz>); the full date is the
// tooltip. Arabic with Arabic-Indic digits, as Yemen writes them. Times on the page are
// rewritten once a minute while it is shown, so "now" does not stay "now".

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const root = document.documentElement;
const lang = root.lang || "en";
const arabic = lang.startsWith("ar");
const numberingSystem = arabic ? "arab" : "latn";
const SEPARATOR = arabic ? "، " : ", ";  // the server's "%(date)s, %(time)s", translated

const ago = attempt(() => new Intl.RelativeTimeFormat(lang, { numeric: "always", numberingSystem }));
const justNow = attempt(() => new Intl.RelativeTimeFormat(lang, { numeric: "auto", numberingSystem }).format(0, "second"));
const dateOptions = {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23", numberingSystem,
};
// The member's zone; a zone this browser does not know falls back to its own.
const dates = attempt(() => new Intl.DateTimeFormat(lang, { ...dateOptions, timeZone: root.dataset.tz || undefined }))
  ?? attempt(() => new Intl.DateTimeFormat(lang, dateOptions));

function attempt(make) {
  try {
    return make();
  } catch {
    return null;  // an old browser, or an unknown zone
  }
}

// "3 Dec 2026, 14:05": the parts put in one order for every language, never month first.
export function fullDate(iso) {
  const moment = new Date(iso);
  if (!dates || Number.isNaN(moment.getTime())) return null;
  const part = Object.fromEntries(dates.formatToParts(moment).map(({ type, value }) => [type, value]));
  return `${part.day} ${part.month} ${part.year}${SEPARATOR}${part.hour}:${part.minute}`;
}

// What a <time> says: relative within the week, else the full date; a moment more than a
// minute ahead (a ban's end) is a date, less is the clocks disagreeing.
export function when(iso, now = Date.now()) {
  const age = now - new Date(iso).getTime();
  if (Number.isNaN(age) || !ago || age < -MINUTE || age >= WEEK) return fullDate(iso);
  if (age < MINUTE) return justNow;
  if (age < HOUR) return ago.format(-Math.floor(age / MINUTE), "minute");
  if (age < DAY) return ago.format(-Math.floor(age / HOUR), "hour");
  return ago.format(-Math.floor(age / DAY), "day");
}

// Fill a <time datetime> in: its words and its tooltip. Left as it is if it cannot be read.
export function show(time, now = Date.now()) {
  const text = when(time.dateTime, now);
  if (!text) return time;
  if (time.textContent !== text) time.textContent = text;
  if (!time.title) time.title = fullDate(time.dateTime) ?? "";
  return time;
}

export function timeElement(iso) {
  const time = document.createElement("time");
  time.dateTime = iso;
  return show(time);
}

// A <time> written as a date (its text is its tooltip: older than a week, a ban's end, a
// session's start) stays one; the others are said again as the clock moves on.
export function refresh(scope = document) {
  const now = Date.now();
  scope.querySelectorAll("time[datetime]").forEach((time) => {
    if (time.textContent !== time.title) show(time, now);
  });
}

// Every <time> of the page kept true while it is shown: a minute's tick, and at once when
// the tab comes back.
let ticking = false;
export function keepFresh() {
  if (ticking) return;
  ticking = true;
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, MINUTE);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}
