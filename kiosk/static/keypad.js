// On-screen keypads (big keys for touch) and the text they edit. Physical keys, including a USB QR scanner
// (which types its text and then Enter), go to the same entry through the kiosk's one keydown listener.

import { h } from "/static/luot/dom.js";

const NUMERIC = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete"];
const ALNUM = [..."1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ", "-", "delete"];

/** Build the keys once; a key's press is handled by the page's delegated click listener (data-key). */
export function buildKeypad(container, kind) {
  const keys = kind === "numeric" ? NUMERIC : ALNUM;
  container.replaceChildren(
    ...keys.map((key) =>
      key === "clear" || key === "delete"
        ? h("button", { type: "button", class: "key key-wide", dataset: { key, i18n: `identify.${key}` } })
        : h("button", { type: "button", class: "key", dataset: { key } }, key),
    ),
  );
}

/** The text a keypad edits: `accept` filters what may be typed; `max` bounds its length. */
export class Entry {
  constructor({ accept, max }) {
    this.accept = accept;
    this.max = max;
    this.value = "";
  }

  press(key) {
    if (key === "delete" || key === "Backspace") this.value = this.value.slice(0, -1);
    else if (key === "clear") this.value = "";
    else if (key.length === 1 && this.accept.test(key) && this.value.length < this.max) this.value += key;
    else return false;
    return true;
  }

  reset() {
    this.value = "";
  }
}
