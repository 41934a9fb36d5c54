// On-screen keypads (big keys for touch) and the text they edit. Physical keys, including a USB QR scanner
// (which types its text and then Enter), go to the same entry through the kiosk's one keydown listener.

const NUMERIC = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete"];
const ALNUM = [..."1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ", "-", "delete"];

/** Build the keys once; a key's press is handled by the page's delegated click listener (data-key). */
export function buildKeypad(container, kind) {
  const keys = kind === "numeric" ? NUMERIC : ALNUM;
  container.replaceChildren(
    ...keys.map((key) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.key = key;
      if (key === "clear" || key === "delete") {
        button.className = "key key-wide";
        button.dataset.i18n = `identify.${key}`;
      } else {
        button.className = "key";
        button.textContent = key;
      }
      return button;
    }),
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
