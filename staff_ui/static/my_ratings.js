// The clerk's own satisfaction ratings of the day on the staff tablet (GET /api/v1/me/ratings): the
// scores and reasons citizens gave, with the ticket number and time — never who gave them.

import { h } from "/static/luot/dom.js";
import { clock, t } from "/static/luot/i18n.js";

export function renderMyRatings(element, answer) {
  if (!element || !answer) return;
  const s = answer.satisfaction;
  element.replaceChildren(
    h("h3", {}, t("myratings.title")),
    h(
      "p",
      { class: "my-ratings-summary" },
      s.ratings ? t("myratings.summary", { avg: s.avg_score, ratings: s.ratings, served: s.served }) : t("myratings.none"),
    ),
    h(
      "ul",
      { class: "my-ratings-list" },
      answer.ratings
        .slice(-8)
        .reverse()
        .map((r) => h("li", { class: r.score <= 2 ? "low" : "", dataset: { score: r.score } }, `${clock(r.at)} · ${r.number} · ${"★".repeat(r.score)}${r.reasons.length ? ` — ${r.reasons.map((c) => t(`reason.${c}`) === `reason.${c}` ? c : t(`reason.${c}`)).join(", ")}` : ""}`)),
    ),
  );
}
