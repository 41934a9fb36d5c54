// A screen still to be built: shows that the page, its strings and the live connection work.
import { apply, t } from "./i18n.js";
import { connectLive, showConnection } from "./live.js";

apply();
const state = document.getElementById("live-state");
const code = document.body.dataset.publicCode;
if (code) {
  connectLive({
    auth: { public_code: code },
    checkGaps: false,
    onSnapshot: (snapshot) => {
      state.dataset.state = "live";
      state.textContent = snapshot.ticket?.number ?? "";
    },
    onStatus: (status) => showConnection(status === "offline" ? t("offline") : ""),
  });
}
