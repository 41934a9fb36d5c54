// The manager's accounts and devices (/manage, tab "Tài khoản"): the clerks and managers of the manager's
// sites (add, role, sites, reset the password, disable or enable) and each site's kiosks, displays and
// rating pads: when each was last seen and whether it is online now, a kiosk's printer chosen among the
// printers the installer declared for the site (never an address typed here), revoke. The server holds the rules (the same as `luot user add`) and audits every change;
// a refusal (403 for another commune's site) is shown as the server words it.

import { api } from "/static/luot/api.js";
import { $, h, say } from "/static/luot/dom.js";
import { t } from "/static/luot/i18n.js";
import { SITE_ZONE } from "/static/luot/day.js";
import { session } from "/static/luot/session.js";

const ROLES = ["clerk", "manager"];
let sites = [];

const AGENT = "agent://";
let declared = []; // the printers the installer declared for the chosen site: [{name, uri}]

const send = (path, body, method = "POST") => api(path, { method, body, token: session.token });
const get = (path) => api(path, { token: session.token });

function siteName(id) {
  return sites.find((s) => s.id === id)?.name ?? `#${id}`;
}

function notice(text, kind = "") {
  say($("#accounts-message"), text, kind);
}

async function attempt(work, done) {
  notice("");
  try {
    await work();
    await loadAccounts(); // the message comes once the lists show the change
    if (done) notice(done, "ok");
  } catch (error) {
    notice(error.message, "error");
  }
}

function roleSelect(name, value) {
  return h(
    "select",
    { name },
    ROLES.map((role) => h("option", { value: role, selected: role === value }, t(`role.${role}`))),
  );
}

function userRow(user) {
  const reset = h("input", { type: "password", name: "password", autocomplete: "new-password", "aria-label": t("accounts.new_password"), placeholder: t("accounts.new_password") });
  const role = roleSelect("role", user.role);
  return h(
    "tr",
    { dataset: { username: user.username, active: String(user.active) } },
    h("th", { scope: "row" }, user.username),
    h("td", {}, user.display_name),
    h("td", {}, role),
    h("td", {}, user.site_ids.map(siteName).join(", ")),
    h("td", { class: "state" }, t(user.active ? "accounts.active" : "accounts.disabled")),
    h(
      "td",
      { class: "actions" },
      reset,
      h(
        "button",
        {
          type: "button",
          class: "save",
          onclick: () =>
            attempt(
              () => send(`/api/v1/users/${user.id}`, { role: role.value, site_ids: user.site_ids, ...(reset.value ? { password: reset.value } : {}) }),
              t("accounts.saved", { username: user.username }),
            ),
        },
        t("settings.save"),
      ),
      h(
        "button",
        {
          type: "button",
          class: user.active ? "disable danger" : "enable",
          onclick: () =>
            attempt(
              () => send(`/api/v1/users/${user.id}/${user.active ? "disable" : "enable"}`, {}),
              t(user.active ? "accounts.disabled_done" : "accounts.enabled_done", { username: user.username }),
            ),
        },
        t(user.active ? "accounts.disable" : "accounts.enable"),
      ),
    ),
  );
}

function seenText(device) {
  if (device.online) return t("devices.online");
  if (!device.last_seen_at) return t("devices.never_seen");
  const site = sites.find((one) => one.id === device.site_id);
  const when = new Intl.DateTimeFormat("vi-VN", {
    timeZone: site?.timezone || SITE_ZONE,
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
  }).format(new Date(device.last_seen_at));
  return t("devices.seen_at", { when });
}

/** A kiosk's printer: one of the declared printers (by name), the kiosk's own print agent, or none. An
 * address the installer set that is not declared stays shown as it is, and can only be replaced. */
function printerChoice(device) {
  if (device.kind !== "kiosk" || device.revoked_at) return device.printer_uri ?? "–";
  const current = device.printer_uri ?? "";
  const options = [
    h("option", { value: "" }, t("devices.no_printer")),
    ...declared.map((printer) => h("option", { value: printer.name, selected: printer.uri === current }, printer.name)),
    h("option", { value: AGENT, selected: current === AGENT }, t("devices.agent_printer")),
  ];
  if (current && current !== AGENT && !declared.some((printer) => printer.uri === current)) {
    options.push(h("option", { value: current, selected: true, disabled: true }, t("devices.installer_printer", { uri: current })));
  }
  const select = h("select", { class: "printer", "aria-label": t("devices.printer_of", { name: device.name }) }, options);
  if (!current) select.value = "";
  select.onchange = () =>
    attempt(
      () => send(`/api/v1/devices/${device.id}/printer`, { printer_uri: select.value || null }, "PUT"),
      t("devices.printer_done", { name: device.name }),
    );
  return select;
}

function deviceRow(device) {
  const revoked = Boolean(device.revoked_at);
  return h(
    "tr",
    { dataset: { deviceId: device.id, kind: device.kind, revoked: String(revoked), online: String(device.online) } },
    h("th", { scope: "row" }, device.name),
    h("td", {}, t(`device.${device.kind}`)),
    h("td", { class: "printer-cell" }, printerChoice(device)),
    h("td", { class: "seen" }, revoked ? "–" : h("span", { class: device.online ? "badge online" : "badge" }, seenText(device))),
    h("td", { class: "state" }, revoked ? t("devices.revoked") : t("devices.enrolled")),
    h(
      "td",
      {},
      revoked
        ? ""
        : h(
            "button",
            {
              type: "button",
              class: "revoke danger",
              onclick: (event) => {
                const button = event.currentTarget;
                if (button.dataset.confirm !== "true") {
                  button.dataset.confirm = "true";
                  button.textContent = t("devices.revoke_confirm");
                  return;
                }
                attempt(() => send(`/api/v1/devices/${device.id}/revoke`, {}), t("devices.revoked_done", { name: device.name }));
              },
            },
            t("devices.revoke"),
          ),
    ),
  );
}

function headings(keys) {
  return h("thead", {}, h("tr", {}, keys.map((key) => h("th", { scope: "col" }, t(key)))));
}

/** Fill the tab: `all` is the manager's sites. */
export function buildAccounts(all) {
  sites = all;
  $("#account-sites").replaceChildren(
    ...sites.map((site) => h("label", {}, h("input", { type: "checkbox", name: "site_ids", value: String(site.id) }), h("span", {}, site.name))),
  );
  $("#account-role").replaceChildren(...ROLES.map((role) => h("option", { value: role }, t(`role.${role}`))));
  $("#devices-site").replaceChildren(...sites.map((site) => h("option", { value: String(site.id) }, site.name)));
  $("#devices-site").onchange = () => loadAccounts();
  $("#code-kind").replaceChildren(...["kiosk", "display", "rating"].map((kind) => h("option", { value: kind }, t(`device.${kind}`))));
  $("#code-form").onsubmit = (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { kind: form.kind.value, name: form.name.value.trim(), counter_code: form.counter_code.value.trim() || null };
    attempt(async () => {
      const issued = await send(`/api/v1/sites/${Number($("#devices-site").value)}/enrolment-codes`, body);
      const result = $("#code-result");
      result.hidden = false;
      result.textContent = t("devices.code_shown", { code: issued.code, name: issued.device.name });
      result.dataset.code = issued.code;
    });
  };
  $("#account-form").onsubmit = (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {
      username: form.username.value.trim(),
      display_name: form.display_name.value.trim() || null,
      password: form.password.value,
      role: form.role.value,
      site_ids: [...form.querySelectorAll("[name=site_ids]:checked")].map((box) => Number(box.value)),
    };
    attempt(async () => {
      await send("/api/v1/users", body);
      form.reset();
    }, t("accounts.added", { username: body.username }));
  };
}

export async function loadAccounts() {
  const siteId = Number($("#devices-site").value);
  const [users, devices, printers] = await Promise.all([
    get("/api/v1/users"),
    siteId ? get(`/api/v1/sites/${siteId}/devices`) : [],
    siteId ? get(`/api/v1/sites/${siteId}/printers/declared`) : [],
  ]);
  declared = printers;
  $("#accounts-users").replaceChildren(
    headings(["accounts.username", "accounts.display_name", "accounts.role", "accounts.sites", "accounts.state", "accounts.actions"]),
    h("tbody", {}, users.map(userRow)),
  );
  $("#devices-list").replaceChildren(
    headings(["devices.name", "devices.kind", "devices.printer", "devices.seen", "accounts.state", "accounts.actions"]),
    h("tbody", {}, devices.map(deviceRow)),
  );
}
