// Small DOM helpers: elements are built with text nodes only (never HTML from data).

/** `h("li", {class: "x", dataset: {id: 3}}, "text", child)` */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  const kept = children.flat().filter((child) => child !== null && child !== undefined && child !== false);
  element.append(...kept.filter((child) => child !== ""));
  return element;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Show `text` in `element` (hidden when empty), with an optional kind (error, ok). */
export function say(element, text, kind = "") {
  element.textContent = text || "";
  element.hidden = !text;
  element.classList.toggle("error", kind === "error");
  element.classList.toggle("ok", kind === "ok");
  if (kind) element.dataset.kind = kind;
  else delete element.dataset.kind;
}

/** "09:30" from an ISO time with offset, as the site's clock reads it (the API sends local times). */
export function clock(iso) {
  return iso ? iso.slice(11, 16) : "";
}
