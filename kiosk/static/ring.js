// The status page's ringer: when the ticket becomes near its turn and when it is called, the phone rings
// (a chime made with Web Audio: no file, no network), vibrates, shows it in the tab's title, and — in a
// secure context where the citizen allowed it — shows a system notification. Works on the LAN alone.
//
// Phones let a page make sound only after a touch: the "turn on the ringer" button is that touch (it also
// asks for notifications where they are possible). `near` follows the site's notify_near_position and
// notify_near_minutes, which the status API returns with the ticket.

import { t } from "/static/luot/i18n.js";

const CHIMES = { near: [660, 880], called: [880, 660, 880] }; // Hz, one tone each 0.35 s
const VIBRATIONS = { near: [300, 150, 300], called: [500, 200, 500, 200, 500] };

let context = null;

function audio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  context ??= new Context();
  if (context.state === "suspended") context.resume().catch(() => {});
  return context;
}

function chime(kind) {
  const sound = audio();
  if (!sound) return;
  const begin = sound.currentTime + 0.05;
  CHIMES[kind].forEach((frequency, index) => {
    const at = begin + index * 0.35;
    const tone = sound.createOscillator();
    const gain = sound.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.6, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.33);
    tone.connect(gain).connect(sound.destination);
    tone.start(at);
    tone.stop(at + 0.34);
  });
}

/** The phase of a ticket for ringing: "called", "near" or "" (nothing to tell). */
export function phase(ticket, settings) {
  if (!ticket) return "";
  if (ticket.status === "called") return "called";
  if (!["waiting", "pending_arrival"].includes(ticket.status) || !(ticket.position > 0)) return "";
  const position = settings?.near_position ?? 3;
  const minutes = settings?.near_minutes ?? 10;
  return ticket.position <= position || ticket.estimated_wait_s <= minutes * 60 ? "near" : "";
}

export function createRinger({ button, baseTitle = document.title } = {}) {
  let last = null; // the phase already told (null: nothing seen yet)
  let told = new Set();

  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => {
      audio();
      if (window.isSecureContext && "Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().catch(() => {});
      }
      button.textContent = t("ring.on");
      button.disabled = true;
      document.body.dataset.ringer = "on";
    });
  }

  function ring(kind, ticket) {
    chime(kind);
    navigator.vibrate?.(VIBRATIONS[kind]);
    const text =
      kind === "called" ? t("ring.called", { number: ticket.number, counter: ticket.counter?.number ?? "" }) : t("ring.near", { number: ticket.number });
    document.title = `🔔 ${text}`;
    document.body.dataset.rang = kind;
    if (window.isSecureContext && "Notification" in window && Notification.permission === "granted") {
      try {
        new Notification(text, { tag: `luot-${kind}`, renotify: true });
      } catch {
        // some phones allow notifications only from a service worker: the title and the sound remain
      }
    }
  }

  return {
    /** Tell the citizen when `ticket` (as the page now shows it) entered a phase not yet told. */
    update(ticket, settings) {
      const now = phase(ticket, settings);
      if (now && now !== last && !told.has(now)) {
        told.add(now);
        ring(now, ticket);
      }
      if (!now && ticket && ticket.status !== "waiting") document.title = baseTitle;
      // nothing left to ring for once the ticket is finished
      if (button && ticket) button.hidden = ["done", "no_show", "cancelled", "expired"].includes(ticket.status);
      last = now;
    },
    reset() {
      last = null;
      told = new Set();
    },
  };
}
