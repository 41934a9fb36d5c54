// The one element builder of every screen: elements are made with text nodes only (never HTML from data),
// and a few small helpers around it.

const SVG = "http://www.w3.org/2000/svg";

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  const kept = children.flat().filter((child) => child !== null && child !== undefined && child !== false);
  element.append(...kept.filter((child) => child !== ""));
  return element;
}

/**
 * `h("li", {class: "x", dataset: {id: 3}, onclick: f}, "text", child)`: attributes that are null,
 * undefined or false are left out, true sets an empty attribute, `on…` functions become listeners;
 * children are nodes or text (arrays are flattened, empty ones dropped).
 */
export function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** The same for SVG elements: `svg("svg", {class: "icon"}, svg("use", {href: "#x"}))`. */
export function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attributes, children);
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

/** Set a node's text only when it changes (screens that redraw often keep their layout still). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
