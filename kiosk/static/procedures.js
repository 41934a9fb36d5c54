// The procedure guide (docs/procedures.md): for each procedure of a service, the papers to bring, the fee,
// the processing time and a note, drawn the same way on the kiosk, the ticket's status page and the
// booking confirmation, in the page's language (Vietnamese where the file has no English text).

import { api } from "/static/luot/api.js";
import { h } from "/static/luot/dom.js";
import { language, t } from "/static/luot/i18n.js";

/** A text of a procedure (or of a paper) in the page's language: `key_en` in English when there is one. */
const local = (thing, key) => (language() === "en" && thing[`${key}_en`]) || thing[key];

/** The procedures shown at a site, of one service or of all; null when the server does not answer. */
export async function fetchProcedures(siteId, serviceId = null) {
  const query = serviceId ? `?service_id=${encodeURIComponent(serviceId)}` : "";
  try {
    return await api(`/api/v1/sites/${encodeURIComponent(siteId)}/procedures${query}`);
  } catch {
    return null;
  }
}

/**
 * One element per procedure. `folding`: each is a <details> opened by its name (a phone's long page);
 * otherwise every procedure is open under a heading of `level`.
 */
export function procedureCards(procedures, { folding = false, level = "h2" } = {}) {
  return procedures.map((procedure, index) => {
    const facts = [
      ["procedures.fee", local(procedure, "fee")],
      ["procedures.time", local(procedure, "processing_time")],
    ].filter(([, text]) => text);
    const body = [
      h("p", { class: "procedure-label" }, t("procedures.documents")),
      h("ul", { class: "papers" }, procedure.documents.map((paper) => h("li", {}, local(paper, "name")))),
      facts.length
        ? h(
            "dl",
            { class: "procedure-facts" },
            facts.map(([key, text]) => h("div", {}, h("dt", {}, t(key)), h("dd", {}, text))),
          )
        : null,
      local(procedure, "note") ? h("p", { class: "procedure-note" }, local(procedure, "note")) : null,
      h("p", { class: "procedure-code" }, t("procedures.code", { code: procedure.code })),
    ];
    const name = local(procedure, "name");
    if (folding) {
      return h(
        "details",
        { class: "procedure", dataset: { procedure: procedure.code }, open: index === 0 && procedures.length === 1 },
        h("summary", {}, name),
        body,
      );
    }
    return h("article", { class: "procedure", dataset: { procedure: procedure.code } }, h(level, {}, name), body);
  });
}
