// The counter's rating pad (/rate): enrolled once with ?token=DEVICE_TOKEN (a `rating` device bound to one
// counter). Its Socket.IO connection joins the counter's own room: the snapshot says what to show between
// tickets, `rating.requested` starts the question, and the answer goes to POST /api/v1/tickets/{id}/rating
// with the pad's token. Everything comes from the centre's own server: it works on the LAN alone.

import { api } from "/static/luot/api.js";
import { say } from "/static/luot/dom.js";
import { t, translate } from "/static/luot/i18n.js";
import { deviceToken } from "/static/luot/device.js";
import { connectLive, showConnection } from "/static/luot/live.js";
import { askRating } from "./rating_form.js";

const $ = (id) => document.getElementById(id);
const token = deviceToken("rating");
let state = null; // GET /api/v1/rating-pad
let asking = null; // {ticket, until}
let timer = null;
const THANKS_MS = 4000;

function showIdle() {
  if (!state) return;
  const counter = state.counter;
  $("pad-counter").textContent = counter.name || translate("vi", "pad.counter", { n: counter.number });
  $("pad-clerk").textContent = state.clerk?.name ?? "";
  $("pad-serving").textContent = state.serving?.number ?? "—";
}

function setState(name) {
  document.body.dataset.state = name;
  $("idle").hidden = name !== "idle";
  $("ask").hidden = name !== "asking";
}

function stopAsking() {
  clearInterval(timer);
  timer = null;
  asking = null;
  setState("idle");
  showIdle();
}

function tick() {
  if (!asking || asking.answered) return;
  const left = Math.max(0, Math.round((asking.until - Date.now()) / 1000));
  $("ask-timer").textContent = `${left}s`;
  if (left <= 0) stopAsking();
}

function ask(ticket, expiresAt) {
  const seconds = state?.pad_seconds ?? 30;
  // The pad's own clock may differ from the server's: never ask longer than the site's window.
  const untilServer = expiresAt ? Date.parse(expiresAt) : Date.now() + seconds * 1000;
  const until = Math.min(untilServer, Date.now() + seconds * 1000);
  asking = { ticket, until: until > Date.now() ? until : Date.now() + seconds * 1000, answered: false };
  $("ask-number").textContent = ticket.number;
  say($("pad-message"), "");
  setState("asking");
  askRating($("ask-form"), {
    reasons: state?.reasons ?? [],
    onAnswer: async (answer) => {
      asking.answered = true; // a face was tapped: the reasons have their own time
      $("ask-timer").textContent = "";
      try {
        await api(`/api/v1/tickets/${ticket.id}/rating`, {
          method: "POST",
          token,
          body: { score: answer.score, reasons: answer.reasons, comment: answer.comment || null },
        });
      } catch (error) {
        const key = error.code === "rating_closed" ? "rating.closed" : error.code === "already_rated" ? "rating.already" : "rating.failed";
        say($("pad-message"), `${translate("vi", key)} · ${translate("en", key)}`, "error");
        setTimeout(stopAsking, THANKS_MS);
        throw error;
      }
      document.body.dataset.state = "thanks";
      setTimeout(stopAsking, THANKS_MS);
    },
  });
  clearInterval(timer);
  timer = setInterval(tick, 250);
  tick();
}

async function refresh() {
  try {
    state = await api("/api/v1/rating-pad", { token });
    if (!asking) showIdle();
  } catch {
    // the next event or reconnect tries again
  }
}

$("pad-english").addEventListener("click", (event) => {
  const on = document.body.dataset.english !== "on";
  document.body.dataset.english = on ? "on" : "off";
  event.currentTarget.setAttribute("aria-pressed", String(on));
});

if (!token) {
  say($("pad-message"), `${translate("vi", "pad.not_enrolled")} · ${translate("en", "pad.not_enrolled")}`, "error");
  setState("unenrolled");
} else {
  const live = connectLive({
    auth: { token },
    checkGaps: false, // the counter's room: gaps are normal there
    onSnapshot: (snapshot) => {
      state = snapshot;
      if (!asking) {
        setState("idle");
        showIdle();
        if (snapshot.pending) ask(snapshot.pending.ticket, snapshot.pending.expires_at);
      }
    },
    onEvent: () => refresh(),
    onStatus: (status) => {
      showConnection(status === "offline" ? t("offline") : status === "refused" ? t("refused") : "");
    },
  });
  live.socket.on("rating.requested", (data) => {
    if (state && data.counter_id !== state.counter.id) return;
    if (state) state.clerk = data.clerk;
    ask(data.ticket, data.expires_at);
  });
}
