// The announcer: one queue of calls, spoken one after the other, never two at once.
//
// Rules (README, "Wall display"):
// - each call is played once, in the order it arrived; a recall is played again even if heard before;
// - a call already waiting in the queue is not queued twice (a recall of it just marks it as a recall);
// - at most MAX_PENDING calls wait: when more arrive than can be heard, the oldest waiting call that is not
//   a recall is dropped (the oldest recall if all are recalls), so the queue never grows without bound;
// - a call that waited longer than MAX_WAIT_MS is dropped when its turn comes: it is on the screen anyway.
// Each announcement is the server's WAV (chime + Vietnamese, then English where the site asks) played with
// the Web Audio API; if that fails and the browser has a Vietnamese voice, the browser says the sentence.

export const MAX_PENDING = 4;
export const MAX_WAIT_MS = 60_000;
const LOG_SIZE = 40;

export class Announcer {
  /**
   * fetchAudio(call) → ArrayBuffer of a WAV; sentence(call) → text for the browser's voice;
   * onBlocked(blocked) → show or hide the "touch to turn the sound on" hint.
   */
  constructor({ fetchAudio, sentence, onBlocked = () => {} }) {
    this.fetchAudio = fetchAudio;
    this.sentence = sentence;
    this.onBlocked = onBlocked;
    this.queue = [];
    this.busy = false;
    this.entries = [];
    this.context = null;
    this.unlock = () => this.resume();
  }

  /** Queue a call: {number, counter, recall}. */
  enqueue(call) {
    const waiting = this.queue.find((item) => item.number === call.number && item.counter === call.counter);
    if (waiting) {
      waiting.recall ||= call.recall;
      return;
    }
    this.queue.push({ ...call, queuedAt: performance.now() });
    while (this.queue.length > MAX_PENDING) {
      const index = this.queue.findIndex((item) => !item.recall);
      const [dropped] = this.queue.splice(index === -1 ? 0 : index, 1);
      this.record(dropped, "dropped");
    }
    this.pump();
  }

  /** What was announced lately: [{number, counter, recall, outcome, startedAt, endedAt, duration}]. */
  log() {
    return this.entries.map((entry) => ({ ...entry }));
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const call = this.queue.shift();
        if (performance.now() - call.queuedAt > MAX_WAIT_MS) {
          this.record(call, "stale");
          continue;
        }
        await this.announce(call);
      }
    } finally {
      this.busy = false;
    }
  }

  async announce(call) {
    const startedAt = performance.now();
    let outcome = "played";
    let duration = 0;
    try {
      duration = await this.play(await this.fetchAudio(call));
    } catch (error) {
      outcome = error?.name === "SoundBlocked" ? "blocked" : (await this.speak(call)) ? "spoken" : "failed";
    }
    this.record(call, outcome, { startedAt, endedAt: performance.now(), duration });
  }

  /** Play a WAV to its end; resolves with its duration in seconds. */
  async play(wav) {
    const context = await this.running();
    const buffer = await context.decodeAudioData(wav);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    await new Promise((resolve) => {
      // Should the audio device stall, the queue goes on anyway shortly after the sound's length.
      const guard = setTimeout(resolve, buffer.duration * 1000 + 3000);
      source.onended = () => {
        clearTimeout(guard);
        resolve();
      };
      source.start();
    });
    source.onended = null;
    source.disconnect();
    return buffer.duration;
  }

  /** The page's one AudioContext, running; a browser that still forbids sound waits for a touch. */
  async running() {
    this.context ??= new AudioContext();
    if (this.context.state !== "running") {
      await Promise.race([this.context.resume(), new Promise((resolve) => setTimeout(resolve, 500))]);
    }
    const blocked = this.context.state !== "running";
    this.onBlocked(blocked);
    if (blocked) {
      document.addEventListener("pointerdown", this.unlock, { once: true });
      const error = new Error("the browser does not allow sound yet");
      error.name = "SoundBlocked";
      throw error;
    }
    return this.context;
  }

  async resume() {
    await this.context?.resume();
    this.onBlocked(this.context?.state !== "running");
  }

  /** The browser's own Vietnamese voice, where it has one; false when there is none. */
  speak(call) {
    const synth = window.speechSynthesis;
    const voice = synth?.getVoices().find((v) => v.lang.toLowerCase().startsWith("vi"));
    if (!voice) return Promise.resolve(false);
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(this.sentence(call));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = () => resolve(true);
      utterance.onerror = () => resolve(false);
      synth.speak(utterance);
    });
  }

  record(call, outcome, times = {}) {
    this.entries.push({
      number: call.number,
      counter: call.counter,
      recall: Boolean(call.recall),
      outcome,
      startedAt: times.startedAt ?? null,
      endedAt: times.endedAt ?? null,
      duration: times.duration ?? 0,
    });
    if (this.entries.length > LOG_SIZE) this.entries.splice(0, this.entries.length - LOG_SIZE);
  }
}
