// The satisfaction question on a ticket's status page: once the ticket is `done`, the citizen may rate it
// privately on their own phone until the site's rating window closes (GET/POST
// /api/v1/tickets/status/{public_code}/rating). status.js calls `offerRating(code, status)` on each update.

import { api } from "/static/luot/api.js";
import { h, say } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";
import { askRating } from "./rating_form.js";

let panel = null;
let offered = false;

function stylesheet() {
  if (document.querySelector("link[data-rating-css]")) return;
  document.head.append(h("link", { rel: "stylesheet", href: "/static/kiosk/rating.css", dataset: { ratingCss: "1" } }));
}

export async function offerRating(code, status) {
  if (status !== "done" || offered || !code) return;
  offered = true;
  let offer;
  try {
    offer = await api(`/api/v1/tickets/status/${encodeURIComponent(code)}/rating`);
  } catch {
    offered = false; // try again on the next update or reconnect
    return;
  }
  if (!offer.open) {
    if (offer.rated) show(h("p", { class: "notice" }, t("rating.thanks")));
    return;
  }
  stylesheet();
  const form = h("div", { class: "rating-form" });
  const message = h("p", { class: "notice error", role: "alert", hidden: true });
  show(h("p", { class: "intro" }, t("rating.phone_intro")), form, message);
  askRating(form, {
    reasons: offer.reasons,
    withKeyboard: false, // a phone has its own
    onAnswer: async (answer) => {
      try {
        await api(`/api/v1/tickets/status/${encodeURIComponent(code)}/rating`, {
          method: "POST",
          body: { score: answer.score, reasons: answer.reasons, comment: answer.comment || null },
        });
      } catch (error) {
        const key = error.code === "rating_closed" ? "rating.closed" : error.code === "already_rated" ? "rating.already" : "rating.failed";
        say(message, t(key), "error");
        throw error;
      }
    },
  });
}

function show(...children) {
  if (!panel) {
    panel = h("section", { id: "rating", class: "panel status-rating", "aria-label": t("rating.question") });
    document.querySelector("main.status")?.append(panel);
  }
  panel.replaceChildren(...children);
}
