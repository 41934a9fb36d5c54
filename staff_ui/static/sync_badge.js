// The manager's live view: how a site served by its own box stands with this server (GET …/sync).
// Connected, behind by N records, or last seen at a time; nothing for a site without a box.

import { h } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";

const FRESH_MS = 30_000; // a box calls every second; half a minute of silence is a cut link

export function syncBadge(sync, now = Date.now()) {
  if (!sync || sync.mode !== "site_box") return "";
  const seen = sync.last_seen_at ? new Date(sync.last_seen_at) : null;
  const fresh = seen !== null && now - seen.getTime() < FRESH_MS;
  let kind = "connected";
  let text = t("sync.connected");
  if (!fresh) {
    kind = "cut";
    const time = seen ? seen.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "–";
    text = t("sync.last_seen", { time });
  } else if (sync.behind > 0) {
    kind = "behind";
    text = t("sync.behind", { count: String(sync.behind) });
  }
  return h("span", { class: `pill sync-pill sync-${kind}`, dataset: { sync: kind }, role: "status" }, text);
}

export function watchSync(siteId, call, onChange, everyMs = 10_000) {
  const poll = async () => {
    const sync = await call(`/api/v1/sites/${siteId}/sync`).catch(() => null);
    onChange(sync);
  };
  poll();
  return setInterval(poll, everyMs);
}
