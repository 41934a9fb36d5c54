// Keyboard shortcuts for desk PCs. They never fire while the clerk types in a field, while a window
// (dialog) is open, with a modifier key, or when a key is held down (a held Space must not act twice).

const KEYS = { r: "recall", n: "no_show", t: "transfer", c: "cancel", m: "dossier", i: "issue", "?": "help" };

function typing(target) {
  return target instanceof Element && Boolean(target.closest("input, textarea, select, [contenteditable]"));
}

/** `handlers`: {primary, recall, no_show, transfer, cancel, dossier, issue, help}; `active()` says whether
 * the desk is showing. */
export function installShortcuts(handlers, active) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.repeat || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!active() || document.querySelector("dialog[open]") || typing(event.target)) return;
    let name;
    if (event.key === " " || event.key === "Enter") {
      // A focused button acts by itself on Space and Enter; acting again here would act twice.
      if (event.target instanceof Element && event.target.closest("button, a, summary")) return;
      name = "primary";
    } else {
      name = KEYS[event.key.toLowerCase()];
    }
    const handler = handlers[name];
    if (!handler) return;
    event.preventDefault();
    handler();
  });
}
