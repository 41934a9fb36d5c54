// The language switch of every screen: Vietnamese first, English one tap away.
//
// A button with `data-language-switch` changes to the other language and is labelled with that language's
// name, in that language ("English" on a Vietnamese page, "Tiếng Việt" on an English one). Buttons with
// `data-lang="vi"` / `data-lang="en"` choose one and show which is on (aria-pressed). A screen that
// remembers the choice (a phone, a staff tablet) names its local-storage key; a kiosk remembers nothing.

import { language, onLanguageChange, setLanguage, t } from "./i18n.js";

const OTHER = { vi: "en", en: "vi" };

/**
 * Wire the page's language buttons (once, at start). `remember`: the local-storage key that keeps the
 * choice on this browser, restored at once. Redraw what the page draws itself with onLanguageChange.
 * Returns `{toggle, choose}` for screens that switch by other means (a keyboard shortcut).
 */
export function languageSwitch({ remember = null, root = document } = {}) {
  const saved = remember ? localStorage.getItem(remember) : null;
  if (saved && saved !== language()) setLanguage(saved);

  const choose = (lang) => {
    setLanguage(lang);
    if (remember) localStorage.setItem(remember, language());
  };
  const toggle = () => choose(OTHER[language()]);
  const toggles = [...root.querySelectorAll("[data-language-switch]")];
  const choices = [...root.querySelectorAll("[data-lang]")];
  for (const button of toggles) button.addEventListener("click", toggle);
  for (const button of choices) button.addEventListener("click", () => choose(button.dataset.lang));

  const label = () => {
    const other = OTHER[language()];
    for (const button of toggles) {
      button.textContent = t(`language.${other}`);
      button.lang = other;
    }
    for (const button of choices) button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
  };
  label();
  onLanguageChange(label);
  return { toggle, choose };
}
