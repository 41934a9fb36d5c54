// The manager's panel of messages to citizens' phones ("your turn is near", "you are called") for one
// site and day: what was sent or failed and why, remote tickets taken/arrived/expired, and how far the
// near-turn estimate was off. Shown under the history of a single site (not for a whole commune).

import { api } from "/static/luot/api.js";
import { $, h } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";
import { session } from "/static/luot/session.js";

const clock = (iso) => (iso ? iso.slice(11, 16) : "");
const minutesText = (seconds) => (seconds === null || seconds === undefined ? "–" : `${Math.round(seconds / 60)}′`);

export async function loadMessages(scope, date) {
  const panel = $("#history-messages");
  if (!panel) return;
  const [kind, siteId] = scope.split(":");
  panel.replaceChildren();
  panel.hidden = kind !== "site";
  if (kind !== "site") return;
  let report;
  try {
    report = await api(`/api/v1/sites/${siteId}/messages?date=${date}`, { token: session.token });
  } catch {
    panel.hidden = true;
    return;
  }
  renderMessages(panel, report);
}

export function renderMessages(panel, report) {
  const { counts, remote, estimate_error_s: error } = report;
  const figures = h(
    "p",
    { class: "hint", id: "messages-figures" },
    t("messages.figures", { sent: counts.sent, failed: counts.failed, queued: counts.queued + counts.sending }),
    " · ",
    t("messages.remote", remote),
    " · ",
    t("messages.error", { n: error.n, p50: minutesText(error.p50), p90: minutesText(error.p90) }),
  );
  const head = h(
    "tr",
    {},
    ...["messages.time", "messages.number", "messages.kind", "messages.status", "messages.channel", "messages.answer"].map(
      (key) => h("th", {}, t(key)),
    ),
  );
  const rows = report.messages.map((message) =>
    h(
      "tr",
      { class: `message-${message.status}` },
      h("td", {}, clock(message.sent_at || message.created_at)),
      h("td", {}, message.number),
      h("td", {}, t(`messages.kind_${message.kind}`)),
      h("td", {}, t(`messages.status_${message.status}`), message.attempts > 1 ? ` (${message.attempts})` : ""),
      h("td", {}, message.channel ?? ""),
      h("td", {}, message.error ?? ""),
    ),
  );
  panel.replaceChildren(
    h("h2", {}, t("messages.title")),
    figures,
    h("p", {}, h("a", { class: "button", href: `/poster/${report.site_id}`, target: "_blank", id: "poster-link" }, t("messages.poster"))),
    rows.length ? h("table", { class: "figures-table", id: "messages-table" }, h("thead", {}, head), h("tbody", {}, ...rows)) : h("p", { class: "hint" }, t("messages.none")),
  );
}
