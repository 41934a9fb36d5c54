// The kiosk's speech mode (chế độ đọc to): for someone who cannot see the screen, a 5-key USB keypad and
// headphones. The keypad's keys (programmed as ArrowLeft, ArrowRight, Enter, R and Escape):
//
//   ← previous · → next · Enter choose · R repeat · Esc back · + louder · − softer
//
// The first press of ← or → starts the mode, and so does a long press (2 s) anywhere on the screen; every screen is then read aloud from the recorded clips of
// the display's voice (server/voice/, GET /api/v1/voice/vi/NAME.wav — a centre's own recording of a clip
// replaces the built-in one). A new key interrupts what is being read. The built-in clips hold numbers,
// letters and the screens' instructions (kiosk_*): the services are read by their place on the screen
// ("Dịch vụ số hai"), then by name where the centre recorded service_<code>.wav (lower case: service_ht),
// and the ticket screen reads the number printed.

import { api } from "/static/luot/api.js";

export const KEYS = {
  ArrowLeft: "previous",
  ArrowRight: "next",
  Enter: "choose",
  r: "repeat",
  R: "repeat",
  Escape: "back",
  "+": "louder",
  "=": "louder",
  "-": "softer",
};
export const LONG_PRESS_MS = 2_000;
const VOLUMES = [0.25, 0.5, 0.75, 1]; // the steps of + and −; never silent
// Only the arrows start it: a scanner types letters, digits and Enter, never arrows.
const STARTERS = new Set(["previous", "next"]);

/** The clips that read a small ordinal (1–99) in Vietnamese: "mười hai", "hai mươi mốt". */
export function ordinalClips(n) {
  if (n < 10) return [`digit_${n}`];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const head = tens === 1 ? ["ten"] : [`digit_${tens}`, "tens"];
  if (ones === 0) return head;
  if (ones === 5) return [...head, "five_after_ten"];
  if (ones === 1 && tens > 1) return [...head, "one_after_tens"];
  return [...head, `digit_${ones}`];
}

export class Speech {
  constructor() {
    this.on = false;
    this.index = 0;
    this.playing = null;
    this.serial = 0;
    this.volume = 1;
    this.played = []; // the clips fetched and started, in order (what the browser tests wait for)
  }

  /** End the mode (the next citizen): silent, the volume back to full. */
  stop() {
    this.on = false;
    this.serial += 1;
    this.playing?.pause();
    this.volume = 1;
    delete document.body.dataset.speech;
    delete document.body.dataset.volume;
  }

  /** Play ``clips`` one after another; a newer call interrupts it. */
  async say(clips) {
    const serial = ++this.serial;
    this.playing?.pause();
    for (const clip of clips) {
      if (serial !== this.serial) return;
      let blob;
      try {
        // One request per clip played (revalidated, so a repeat is heard and seen as a request too).
        const response = await fetch(`/api/v1/voice/vi/${encodeURIComponent(clip)}.wav`, { cache: "no-cache" });
        if (!response.ok) continue; // a clip that is missing is skipped, the rest is still read
        blob = await response.blob();
      } catch {
        continue;
      }
      if (serial !== this.serial) return;
      const url = URL.createObjectURL(blob);
      const sound = new Audio(url);
      sound.volume = this.volume;
      this.playing = sound;
      this.played.push(clip);
      await new Promise((resolve) => {
        sound.addEventListener("ended", resolve, { once: true });
        sound.addEventListener("error", resolve, { once: true });
        sound.play().catch(resolve);
      });
      URL.revokeObjectURL(url);
    }
  }
}

/**
 * Wire the speech mode into the kiosk page: ``screens`` tells, per screen name, the targets to move
 * between ({element, clips}) and what the screen says when it opens; ``back`` goes one screen back.
 */
export function startSpeechMode({ screens, back }) {
  const speech = new Speech();
  window.luotSpeech = speech;
  const current = () => screens[document.body.dataset.screen];
  let lastIntro = [];

  function targets() {
    return current()?.targets() ?? [];
  }

  function focus(index) {
    const list = targets();
    if (!list.length) return;
    speech.index = (index + list.length) % list.length;
    const target = list[speech.index];
    target.element.focus();
    speech.say(target.clips);
  }

  async function intro() {
    const screen = current();
    if (!speech.on || !screen) return;
    speech.index = 0;
    lastIntro = screen.intro ? await screen.intro() : [];
    const first = targets()[0];
    if (first) first.element.focus();
    speech.say([...lastIntro, ...(first ? first.clips : [])]);
  }

  function begin() {
    speech.on = true;
    document.body.dataset.speech = "on";
    intro();
  }

  function loudness(step) {
    const at = VOLUMES.indexOf(speech.volume);
    speech.volume = VOLUMES[Math.min(Math.max(at + step, 0), VOLUMES.length - 1)];
    document.body.dataset.volume = String(speech.volume);
    speech.say([step > 0 ? "kiosk_louder" : "kiosk_softer"]); // heard at the new volume
  }

  // A long press anywhere starts the mode (for someone without the keypad); that press's click is swallowed.
  let pressing = null;
  let swallow = false;
  const release = () => clearTimeout(pressing);
  document.addEventListener("pointerdown", () => {
    release();
    swallow = false;
    if (speech.on || !current()) return;
    pressing = setTimeout(() => {
      swallow = true;
      begin();
    }, LONG_PRESS_MS);
  });
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) document.addEventListener(name, release);
  document.addEventListener(
    "click",
    (event) => {
      if (!swallow) return;
      swallow = false;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    { capture: true },
  );

  new MutationObserver(() => intro()).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });

  document.addEventListener(
    "keydown",
    (event) => {
      const action = KEYS[event.key];
      // Screens with a text entry (appointment code, phone) keep their keys for typing and scanning.
      if (!action || !current() || event.ctrlKey || event.altKey || event.metaKey) return;
      if (!speech.on) {
        if (!STARTERS.has(action)) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        begin();
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (action === "next") focus(speech.index + 1);
      else if (action === "previous") focus(speech.index - 1);
      else if (action === "repeat") speech.say([...lastIntro, ...(targets()[speech.index]?.clips ?? [])]);
      else if (action === "back") back();
      else if (action === "louder") loudness(+1);
      else if (action === "softer") loudness(-1);
      else if (action === "choose") targets()[speech.index]?.element.click();
    },
    { capture: true },
  );
  return speech;
}

/** The clips that read a ticket number ("Mời công dân có số thứ tự A mười hai"), from the server's rules. */
export async function ticketClips(number) {
  try {
    return (await api(`/api/v1/voice/vi/ticket?number=${encodeURIComponent(number)}`)).clips;
  } catch {
    return [];
  }
}
