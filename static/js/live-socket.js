// The one WebSocket-with-backoff of the site: the notification stream, the thread page
// and the room all reconnect by this policy (DESIGN.md, "Reliability").
//
// Why full jitter: when a server restarts, every phone of a coalition reconnects at once;
// spread uniformly over [0, ceiling], their attempts arrive as a trickle, not a wave. Why
// the counter resets only after a stable minute: a socket that the server accepts and
// drops at once (a refusal, an overloaded process) must not start again at 1 s each time.
// Why the ceiling grows by half each attempt, not doubles: with doubling, a restart of a
// few seconds leaves some of two thousand members waiting 30 s and more after the server
// is back (bench/sockets.py measures it); growing by half still reaches the minute within
// ten attempts.

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_GROWTH = 1.5;
export const BACKOFF_CAP_MS = 60000;
export const STABLE_MS = 60000;      // open this long, the next drop starts the backoff afresh
export const PING_EVERY_MS = 20000;
export const PONG_WITHIN_MS = 10000; // nothing at all heard this long after a ping: dead link
// A handshake into a stalled network may neither open nor fail for minutes (the browser's
// own limit), and the browser holds the page's other handshakes to the same host behind it
// (one at a time, RFC 6455 4.1): given up after this long, and tried again by the backoff.
export const OPEN_WITHIN_MS = 15000;
export const FINAL_CLOSES = new Set([4401, 4403, 4404]);  // 4408 (too slow) is a drop like any other
const SIGNED_OUT = 4401;
const GIVEN_UP = 4000;               // our own code when we abandon a dead socket

// The longest wait before reconnection attempt `attempt` (1, 2, 3 …).
export function backoffCeiling(attempt) {
  return Math.round(Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * BACKOFF_GROWTH ** Math.min(attempt, 30)));
}

// Full jitter: anywhere in [0, ceiling].
export function backoffDelay(attempt, random = Math.random) {
  return random() * backoffCeiling(attempt);
}

// The policy without sockets or timers (times are passed in), so it can be tested alone.
export class Backoff {
  constructor(random = Math.random) {
    this.random = random;
    this.attempt = 0;
    this.openedAt = null;
    this.retriedSignedOut = false;
  }

  opened(now) {
    this.openedAt = now;
  }

  // The server spoke on this socket: it knew the session, so a later 4401 deserves a retry.
  heard() {
    this.retriedSignedOut = false;
  }

  // A socket ended with `code`: "final" (give up), or the milliseconds to wait.
  closed(code, now) {
    if (this.openedAt !== null && now - this.openedAt >= STABLE_MS) {
      this.attempt = 0;
      this.retriedSignedOut = false;
    }
    this.openedAt = null;
    if (code === SIGNED_OUT && !this.retriedSignedOut) {
      // A password change here rotates the session cookie: the new one may already be
      // set, so one more try at once; a second 4401 in a row means the session is gone.
      this.retriedSignedOut = true;
      return 0;
    }
    if (FINAL_CLOSES.has(code)) return "final";
    this.attempt += 1;
    return backoffDelay(this.attempt, this.random);
  }
}

// `path` is a string or a function called before each attempt (the room resumes with
// ?after=<rev>). `onState(state, code)`: connecting, connected, reconnecting, offline,
// or closed (with the final close code, or null when stopped).
export function liveSocket(path, { onFrame, onState = () => {} }) {
  const policy = new Backoff();
  let socket = null;
  let stopped = false;
  let reconnectTimer = null;
  let pingTimer = null;
  let deadTimer = null;
  let ever = false;

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${typeof path === "function" ? path() : path}`;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (stopped || socket) return;
    if (navigator.onLine === false) {
      onState("offline");  // the `online` event brings us back
      return;
    }
    onState(ever ? "reconnecting" : "connecting");
    ever = true;
    const ws = new WebSocket(url());
    socket = ws;
    deadTimer = setTimeout(() => ended(GIVEN_UP), OPEN_WITHIN_MS);
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      clearTimeout(deadTimer);
      deadTimer = null;
      policy.opened(Date.now());
      pingTimer = setInterval(ping, PING_EVERY_MS);
      onState("connected");
    });
    ws.addEventListener("message", (event) => {
      if (ws !== socket) return;
      clearTimeout(deadTimer);
      deadTimer = null;
      policy.heard();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onFrame(frame);
    });
    ws.addEventListener("close", (event) => { if (ws === socket) ended(event.code); });
  }

  // Forget the current socket; its late events are ignored.
  function drop() {
    const ws = socket;
    socket = null;
    clearInterval(pingTimer);
    clearTimeout(deadTimer);
    pingTimer = deadTimer = null;
    if (ws && ws.readyState < WebSocket.CLOSING) ws.close(GIVEN_UP);
  }

  function ended(code) {
    drop();
    if (stopped) return;
    const wait = policy.closed(code, Date.now());
    if (wait === "final") {
      stopped = true;
      onState("closed", code);
      return;
    }
    if (navigator.onLine === false) {
      onState("offline");
      return;
    }
    onState("reconnecting");
    reconnectTimer = setTimeout(connect, wait);
  }

  // A half-open socket (a phone changing networks) never says it closed: ping, and
  // give it up when nothing at all came back in time.
  // Also called at once when something waits for an answer (a message sent): a link that
  // died since the last ping is then found within PONG_WITHIN_MS, not up to 30 s later.
  function ping() {
    if (deadTimer || !send({ type: "ping" })) return;
    deadTimer = setTimeout(() => ended(GIVEN_UP), PONG_WITHIN_MS);
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function now() {
    if (!stopped && !socket) connect();
  }

  window.addEventListener("online", now);
  window.addEventListener("offline", () => {
    if (stopped) return;
    drop();
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    onState("offline");
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") now();
  });

  connect();
  return {
    send,
    probe: ping,
    stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      drop();
      onState("closed", null);
    },
  };
}
