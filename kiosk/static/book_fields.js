// The booking form's per-field errors: each field that needs another look says why, under itself,
// marked aria-invalid and tied to its message (aria-describedby), checked before sending and again from
// the server's 422 details (the same fields, the same words).
import { h } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";

const FIELDS = ["name", "phone", "citizen_id", "email"];

/** What is wrong with the form as typed: {field: message key}. */
export function fieldProblems(form) {
  const problems = {};
  const value = (name) => form.elements[name].value.trim();
  if (!value("name")) problems.name = "field.name";
  const digits = value("phone").replace(/\D/g, "");
  if (digits.length < 9 || digits.length > 12) problems.phone = "field.phone";
  if (value("citizen_id") && !/^\d{12}$/.test(value("citizen_id").replace(/\s/g, ""))) problems.citizen_id = "field.citizen_id";
  if (value("email") && !form.elements.email.validity.valid) problems.email = "field.email";
  return problems;
}

/** The fields the server refused (its 422 ``details``), as message keys. */
export function serverProblems(error) {
  const problems = {};
  if (error?.status !== 422 || !error.details || typeof error.details !== "object") return problems;
  for (const field of FIELDS) if (field in error.details) problems[field] = `field.${field}`;
  return problems;
}

/** Show ``problems`` on the form (clearing the others); true when there were any. */
export function showFieldProblems(form, problems) {
  for (const field of FIELDS) {
    const input = form.elements[field];
    const id = `${field}-error`;
    let message = document.getElementById(id);
    if (!problems[field]) {
      input.removeAttribute("aria-invalid");
      message?.remove();
      continue;
    }
    if (!message) {
      message = h("span", { id, class: "field-error" });
      input.after(message);
    }
    message.textContent = t(problems[field]);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  }
  const first = FIELDS.find((field) => problems[field]);
  if (first) form.elements[first].focus();
  return first !== undefined;
}
