// Strings of a page in Vietnamese and English, embedded by the server from the gettext catalogs
// (<script type="application/json" id="luot-strings">). Vietnamese first; English one call away.

const catalog = JSON.parse(document.getElementById("luot-strings")?.textContent || "{}");
const listeners = new Set();
let current = catalog[document.documentElement.lang] ? document.documentElement.lang : "vi";

export function language() {
  return current;
}

/** The text of `key` in the current language, with `%(name)s` parameters filled in. */
export function t(key, params = {}) {
  return translate(current, key, params);
}

/** The text of `key` in the given language (screens that show Vietnamese and English side by side). */
export function translate(lang, key, params = {}) {
  const text = catalog[lang]?.[key] ?? catalog.vi?.[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

/** Fill every element carrying `data-i18n="key"` (and `data-i18n-attr="aria-label"` etc.). */
export function apply(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const attribute = element.dataset.i18nAttr;
    if (attribute) element.setAttribute(attribute, t(element.dataset.i18n));
    else element.textContent = t(element.dataset.i18n);
  }
}

export function setLanguage(lang) {
  current = catalog[lang] ? lang : "vi";
  document.documentElement.lang = current;
  apply();
  for (const listener of listeners) listener(current);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** "12 phút" / "12 min" from seconds. */
export function minutes(seconds) {
  return t("minutes", { n: Math.max(0, Math.round(seconds / 60)) });
}

/** "09:30" from an ISO time with offset, as the site's clock reads it (the API sends the site's local times). */
export function clock(iso) {
  return iso ? iso.slice(11, 16) : "";
}
