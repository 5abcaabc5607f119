// A WebSocket that reconnects with exponential backoff and jitter, and says its state.
// Shared by the notification stream and the thread page; no framework, no dependency.

const CLOSE_FINAL = new Set([4401, 4403, 4404]);

export function liveSocket(path, { onFrame, onState = () => {} }) {
  let socket = null;
  let attempt = 0;
  let stopped = false;

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${typeof path === "function" ? path() : path}`;
  }

  function connect() {
    onState(attempt ? "reconnecting" : "connecting");
    socket = new WebSocket(url());
    socket.addEventListener("open", () => { attempt = 0; onState("connected"); });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (stopped || CLOSE_FINAL.has(event.code)) { onState("closed"); return; }
      attempt += 1;
      // 1 s, 2 s, 4 s … up to 60 s, each with up to 50 % random jitter.
      const base = Math.min(60000, 1000 * 2 ** Math.min(attempt - 1, 6));
      onState(navigator.onLine === false ? "offline" : "reconnecting");
      setTimeout(connect, base / 2 + Math.random() * base / 2);
    });
  }

  connect();
  return {
    send(frame) { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame)); },
    stop() { stopped = true; if (socket) socket.close(); },
  };
}
