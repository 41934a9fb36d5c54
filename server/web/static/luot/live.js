// Live updates over Socket.IO. The server joins rooms at connect and sends a `snapshot`; every site event
// carries the next per-site `seq`, so a gap means something was missed: ask for a new snapshot. On every
// (re)connect the server sends a snapshot again (there is no replay).

import { io } from "/static/vendor/socket.io.esm.min.js";

export const SITE_EVENTS = [
  "ticket.called",
  "ticket.updated",
  "queue.changed",
  "counter.updated",
  "printer.status",
  "print.updated",
  "appointment.updated",
  "notices.changed",
  "rating.requested",
  "rating.given",
];

/**
 * onSnapshot(snapshot) — full state; onEvent(name, data) — each event in order;
 * onStatus("online" | "offline" | "refused", detail) — for the connection mark.
 * checkGaps: false for a ticket's own room, where gaps are normal.
 */
export function connectLive({ auth, onSnapshot, onEvent = () => {}, onStatus = () => {}, checkGaps = true }) {
  // Retry at most every 2 s (± half, socket.io's jitter spreads a hall of screens): a restarted server
  // has its displays back within seconds.
  const socket = io({ auth, transports: ["websocket", "polling"], reconnectionDelayMax: 2000 });
  let seq = null;

  socket.on("connect", () => onStatus("online"));
  socket.on("disconnect", (reason) => {
    onStatus("offline", reason);
    // The server ends a connection itself when its token was revoked or signed out: connecting again
    // then gets the refusal (unauthorized) that tells the page to ask for a new sign-in.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error) => {
    const code = error?.data?.code;
    if (code === "unauthorized" || code === "forbidden" || code === "not_found") {
      onStatus("refused", { code, message: error.message });
      socket.close();
    } else {
      onStatus("offline", error?.message);
    }
  });
  socket.on("snapshot", (snapshot) => {
    seq = snapshot.seq;
    onSnapshot(snapshot);
  });
  for (const name of SITE_EVENTS) {
    socket.on(name, (data) => {
      if (checkGaps && seq !== null) {
        if (data.seq <= seq) return; // already reflected in the snapshot
        if (data.seq !== seq + 1) socket.emit("refresh");
      }
      seq = Math.max(seq ?? 0, data.seq);
      onEvent(name, data);
    });
  }
  return {
    socket,
    refresh: () => socket.emit("refresh"),
    close: () => socket.close(),
  };
}

/** Show or hide the page's connection mark (#luot-connection) with the given text. */
export function showConnection(text) {
  const mark = document.getElementById("luot-connection");
  if (!mark) return;
  mark.hidden = !text;
  mark.textContent = text || "";
}
