// The satisfaction question (đánh giá mức độ hài lòng), shared by the counter's rating pad (/rate) and a
// ticket's status page: five large faces labelled in Vietnamese (English on a tap), then — for 1 to 3 —
// the site's reasons and an optional comment, typed on the on-screen keyboard where there is no other.
// It only collects the answer; the page sends it (`onAnswer({score, reasons, comment})`).

import { h, svg } from "/static/luot/dom.js";
import { language, t, translate } from "/static/luot/i18n.js";

export const SCORES = [5, 4, 3, 2, 1];
const ASKS_REASONS = new Set([1, 2, 3]);
// The mouth of each face, from a wide smile (5) to a frown (1).
const MOUTHS = { 5: "M14 30 Q24 42 34 30", 4: "M15 31 Q24 37 33 31", 3: "M15 33 L33 33", 2: "M15 35 Q24 29 33 35", 1: "M14 37 Q24 26 34 37" };

function face(score) {
  return svg(
    "svg",
    { class: "face-icon", viewBox: "0 0 48 48", "aria-hidden": "true" },
    svg("circle", { cx: 24, cy: 24, r: 21, class: "face-skin" }),
    svg("circle", { cx: 17, cy: 19, r: 2.6, class: "face-eye" }),
    svg("circle", { cx: 31, cy: 19, r: 2.6, class: "face-eye" }),
    svg("path", { d: MOUTHS[score], class: "face-mouth" }),
  );
}

function bilingual(key) {
  return [h("span", { class: "vi" }, translate("vi", key)), h("span", { class: "en", lang: "en" }, translate("en", key))];
}

/** The faces: one tap answers; `english` shows the English labels beneath (a tap on "English"). */
export function facesStep({ onScore }) {
  const faces = SCORES.map((score) =>
    h(
      "button",
      { type: "button", class: `face face-${score}`, dataset: { score }, onclick: () => onScore(score) },
      face(score),
      h("span", { class: "face-label" }, ...bilingual(`rating.score.${score}`)),
    ),
  );
  return h(
    "div",
    { class: "rating-step rating-faces" },
    h("h2", { class: "rating-question" }, ...bilingual("rating.question")),
    h("div", { class: "faces" }, ...faces),
  );
}

const TONES = [
  ["\u0301", "á"],
  ["\u0300", "à"],
  ["\u0309", "ả"],
  ["\u0303", "ã"],
  ["\u0323", "ạ"],
];
const ROWS = [[..."qwertyuiop"], [..."asdfghjkl"], [..."zxcvbnm"], [..."ăâđêôơư"]];

/** An on-screen keyboard for Vietnamese: letters, the Vietnamese letters, and the five tone marks, which
 * apply to the letter before (the text is kept NFC). */
export function keyboard(input) {
  const type = (text) => {
    input.value = (input.value + text).normalize("NFC").slice(0, 500);
    input.dispatchEvent(new Event("input"));
  };
  const key = (label, action, wide = "") =>
    h("button", { type: "button", class: `okey ${wide}`, onclick: action }, label);
  return h(
    "div",
    { class: "osk", role: "group", "aria-label": t("rating.keyboard") },
    ...ROWS.map((row) => h("div", { class: "osk-row" }, ...row.map((c) => key(c, () => type(c))))),
    h(
      "div",
      { class: "osk-row" },
      ...TONES.map(([mark, shown]) => key(shown, () => type(mark), "tone")),
      key(t("rating.space"), () => type(" "), "wide"),
      key("⌫", () => {
        input.value = input.value.normalize("NFD").slice(0, -1).normalize("NFC");
        input.dispatchEvent(new Event("input"));
      }),
    ),
  );
}

/** Reasons for a low score and an optional comment; `onSend({reasons, comment})`. */
export function reasonsStep({ reasons, onSend, withKeyboard = true }) {
  const chosen = new Set();
  const buttons = reasons.map((reason) =>
    h(
      "button",
      {
        type: "button",
        class: "reason",
        "aria-pressed": "false",
        dataset: { code: reason.code },
        onclick: (event) => {
          const button = event.currentTarget;
          if (chosen.has(reason.code)) chosen.delete(reason.code);
          else chosen.add(reason.code);
          button.setAttribute("aria-pressed", String(chosen.has(reason.code)));
        },
      },
      h("span", { class: "vi" }, reason.name),
      h("span", { class: "en", lang: "en" }, reason.name_en),
    ),
  );
  const comment = h("textarea", {
    class: "comment",
    maxlength: 500,
    rows: 2,
    placeholder: t("rating.comment"),
    "aria-label": t("rating.comment"),
  });
  return h(
    "div",
    { class: "rating-step rating-reasons" },
    h("h2", { class: "rating-question" }, ...bilingual("rating.why")),
    h("div", { class: "reasons" }, ...buttons),
    comment,
    withKeyboard ? keyboard(comment) : null,
    h(
      "button",
      {
        type: "button",
        class: "send",
        onclick: () => onSend({ reasons: reasons.map((r) => r.code).filter((c) => chosen.has(c)), comment: comment.value.trim() }),
      },
      ...bilingual("rating.send"),
    ),
  );
}

export function thanksStep() {
  return h("div", { class: "rating-step rating-thanks", role: "status" }, h("h2", {}, ...bilingual("rating.thanks")));
}

/** The whole question in `container`: faces, then reasons for 1–3, then `onAnswer` (which may throw). */
export function askRating(container, { reasons, onAnswer, withKeyboard = true }) {
  const send = async (answer) => {
    try {
      await onAnswer(answer);
    } catch {
      return; // the page has said why
    }
    container.replaceChildren(thanksStep());
  };
  container.replaceChildren(
    facesStep({
      onScore: (score) => {
        if (!ASKS_REASONS.has(score)) {
          send({ score, reasons: [], comment: "" });
          return;
        }
        container.replaceChildren(
          reasonsStep({ reasons, withKeyboard, onSend: ({ reasons: codes, comment }) => send({ score, reasons: codes, comment }) }),
        );
      },
    }),
  );
  container.dataset.language = language();
}
