// ESLint for Lượt's front ends: small ES modules that the browser runs as they are served (no build step).
// `make lint` runs it. The recommended rules, plus a few that keep the pages' own promises: no HTML built
// from data (elements are made with text nodes only) and nothing the Content-Security-Policy forbids.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "build/", "dist/"] },
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      // The pages run under a strict Content-Security-Policy: no eval in any form.
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      // Text from the server or a citizen never becomes markup.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Build elements with h() from /static/luot/dom.js." },
        { property: "outerHTML", message: "Build elements with h() from /static/luot/dom.js." },
        { property: "insertAdjacentHTML", message: "Build elements with h() from /static/luot/dom.js." },
        { object: "document", property: "write", message: "Build elements with h() from /static/luot/dom.js." },
      ],
    },
  },
  {
    // This file itself runs in Node.
    files: ["eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
];
