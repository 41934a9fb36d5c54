// The board: what the wall shows — the latest call, each counter's ticket, the calls before it, and the
// waiting per service — kept from the snapshot and the site's events, and drawn into a fixed set of nodes.
// Nodes are made when the set of counters or services changes (a snapshot, a new setting), never per
// event: thousands of calls leave the page exactly as large as it was.

import { h, setText } from "/static/luot/dom.js";
import { ticketDay } from "/static/luot/day.js";
import { translate } from "/static/luot/i18n.js";

export const RECENT = 8; // calls listed under the latest one
const FRESH_MS = 15_000; // a counter's tile stays highlighted this long after its call
const ENDED = new Set(["done", "no_show", "cancelled", "expired", "waiting"]);

const vi = (key, params) => translate("vi", key, params);
// A number kept overnight shows its day beside it, so that yesterday's C100 is not taken for today's.
const numbered = (item) => (ticketDay(item.day) ? `${item.number} · ${ticketDay(item.day)}` : item.number);
const en = (key, params) => translate("en", key, params);

export class Board {
  constructor(root = document) {
    this.nodes = {
      now: root.getElementById("now"),
      nowNumber: root.getElementById("now-number"),
      nowCounter: root.getElementById("now-counter"),
      nowCounterEn: root.getElementById("now-counter-en"),
      counters: root.getElementById("counters"),
      recent: root.getElementById("recent"),
      waits: root.getElementById("waits"),
    };
    this.counters = new Map(); // id -> {id, code, number, name, status, services, ticket, calledAt}
    this.calls = []; // newest first: {ticketId, number, serviceId, counter, recall}
    this.waiting = new Map(); // service id -> {waiting, estimated_wait_s}
    this.services = []; // [{id, code, name, name_en}] in the site's order
    this.settings = {};
    this.tiles = new Map(); // counter id -> {root, number, state}
    this.waitRows = new Map(); // service id -> {root, count, estimate}
    this.tileKey = "";
    this.waitKey = "";
    this.latestKey = "";
    this.serial = 0;
    this.quiet = false;
    this.pending = false;
    this.recentRows = Array.from({ length: RECENT }, () => {
      const slot = { number: h("span", { class: "recent-number" }), counter: h("span", { class: "recent-counter" }) };
      slot.row = h("li", { class: "recent-row" }, slot.number, slot.counter);
      this.nodes.recent.append(slot.row);
      return slot;
    });
  }

  // -- state ---------------------------------------------------------------------------------------

  snapshot(snapshot) {
    this.counters = new Map(
      snapshot.counters.map((c) => [
        c.id,
        {
          id: c.id,
          code: c.code,
          number: c.number,
          name: c.name,
          status: c.status,
          services: c.services,
          ticket: c.current_ticket ? this.ticketOf(c.current_ticket) : null,
          calledAt: 0,
        },
      ]),
    );
    const seen = new Set();
    this.calls = [];
    for (const call of snapshot.recent_calls) {
      if (seen.has(call.ticket_id)) continue;
      seen.add(call.ticket_id);
      this.calls.push({
        ticketId: call.ticket_id,
        number: call.number,
        day: call.day,
        serviceId: call.service_id,
        counter: call.counter,
        recall: call.recall,
        serial: 0,
      });
    }
    this.quiet = true;
    this.setWaiting(snapshot.waiting_by_service);
    this.render();
  }

  ticketOf(ticket) {
    return { id: ticket.id, number: ticket.number, day: ticket.day, serviceId: ticket.service_id, status: ticket.status };
  }

  setServices(services) {
    this.services = services;
    this.render();
  }

  setSettings(settings) {
    this.settings = settings || {};
    this.render();
  }

  /** A `ticket.called` event; true when this display shows (and so announces) it. */
  called(data) {
    const counter = this.counters.get(data.counter.id);
    if (counter) {
      counter.ticket = {
        id: data.ticket.id,
        number: data.ticket.number,
        day: data.ticket.day,
        serviceId: data.ticket.service_id,
        status: "called",
      };
      counter.calledAt = performance.now();
    }
    const index = this.calls.findIndex((call) => call.ticketId === data.ticket.id);
    if (index !== -1) this.calls.splice(index, 1);
    this.calls.unshift({
      ticketId: data.ticket.id,
      number: data.ticket.number,
      day: data.ticket.day,
      serviceId: data.ticket.service_id,
      counter: data.counter,
      recall: data.recall,
      serial: ++this.serial, // every call and recall flashes the latest-call panel anew
    });
    this.calls.length = Math.min(this.calls.length, RECENT + 4);
    this.render();
    return this.showsCall(data.counter.id, data.ticket.service_id);
  }

  /** A site-room `ticket.updated`: a ticket that left its counter frees it. */
  ticketUpdated(data) {
    const ticket = data.ticket;
    for (const counter of this.counters.values()) {
      if (counter.ticket?.id !== ticket.id) continue;
      if (ENDED.has(ticket.status)) counter.ticket = null;
      else counter.ticket = { ...counter.ticket, status: ticket.status };
      this.render();
    }
  }

  counterUpdated(data) {
    const c = data.counter;
    const known = this.counters.get(c.id);
    this.counters.set(c.id, {
      id: c.id,
      code: c.code,
      number: c.number,
      name: c.name,
      status: c.status,
      services: c.services,
      ticket: c.current_ticket ? this.ticketOf(c.current_ticket) : null,
      calledAt: known?.calledAt ?? 0,
    });
    this.render();
  }

  setWaiting(list) {
    this.waiting = new Map(list.map((w) => [w.service_id, w]));
    this.render();
  }

  // -- what this display shows (its settings: counter and service codes; empty = all) --------------

  shownCounters() {
    const codes = this.settings.counters;
    const all = [...this.counters.values()].sort((a, b) => a.number - b.number);
    return codes?.length ? all.filter((c) => codes.includes(c.code)) : all;
  }

  shownServices() {
    const codes = this.settings.services;
    return codes?.length ? this.services.filter((s) => codes.includes(s.code)) : this.services;
  }

  showsCall(counterId, serviceId) {
    const counters = this.settings.counters;
    const services = this.settings.services;
    if (counters?.length && !counters.includes(this.counters.get(counterId)?.code)) return false;
    if (services?.length) {
      const service = this.services.find((s) => s.id === serviceId);
      if (!service || !services.includes(service.code)) return false;
    }
    return true;
  }

  // -- drawing -------------------------------------------------------------------------------------

  /** Draw at the next frame: a burst of events costs one drawing. */
  render() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const calls = this.calls.filter((call) => this.showsCall(call.counter.id, call.serviceId));
    this.drawLatest(calls[0]);
    this.quiet = false;
    this.drawRecent(calls.slice(1, RECENT + 1));
    this.drawCounters();
    this.drawWaits();
  }

  drawLatest(call) {
    const n = this.nodes;
    n.now.dataset.empty = String(!call);
    if (!call) return;
    setText(n.nowNumber, numbered(call));
    setText(n.nowCounter, vi("counter", { n: call.counter.number }));
    setText(n.nowCounterEn, en("counter", { n: call.counter.number }));
    const key = `${call.ticketId}:${call.serial}`;
    if (key !== this.latestKey) {
      this.latestKey = key;
      if (this.quiet) return; // a snapshot (a reconnect) shows the latest call without calling it anew
      for (const animation of n.now.getAnimations()) animation.cancel();
      n.now.animate(
        [{ backgroundColor: "var(--flash)" }, { backgroundColor: "var(--calling)" }],
        { duration: 900, iterations: 4, easing: "ease-out" },
      );
    }
  }

  drawRecent(calls) {
    this.recentRows.forEach((slot, index) => {
      const call = calls[index];
      slot.row.hidden = !call;
      if (!call) return;
      setText(slot.number, numbered(call));
      setText(slot.counter, vi("counter", { n: call.counter.number }));
      slot.row.classList.toggle("recalled", Boolean(call.recall));
    });
  }

  drawCounters() {
    const shown = this.shownCounters();
    const key = shown.map((c) => c.id).join(",");
    if (key !== this.tileKey) {
      this.tileKey = key;
      this.tiles.clear();
      const tiles = shown.map((counter) => {
        const tile = { number: h("span", { class: "counter-number" }), state: h("span", { class: "counter-state" }) };
        const label = h(
          "span",
          { class: "counter-label" },
          h("span", { class: "vi" }, vi("counter", { n: counter.number })),
          h("span", { class: "en", lang: "en" }, en("counter", { n: counter.number })),
        );
        tile.root = h("li", { class: "counter-tile" }, label, tile.number, tile.state);
        this.tiles.set(counter.id, tile);
        return tile.root;
      });
      this.nodes.counters.replaceChildren(...tiles);
      this.nodes.counters.style.setProperty("--tiles", String(Math.max(1, shown.length)));
    }
    const now = performance.now();
    for (const counter of shown) {
      const tile = this.tiles.get(counter.id);
      const ticket = counter.ticket;
      setText(tile.number, ticket ? numbered(ticket) : "—");
      let state = "";
      if (!ticket && counter.status !== "open") state = counter.status;
      else if (ticket?.status === "serving") state = "serving";
      setText(tile.state, state ? `${vi(state)} · ${en(state)}` : "");
      const fresh = ticket?.status === "called" && now - counter.calledAt < FRESH_MS;
      tile.root.classList.toggle("fresh", fresh);
      tile.root.dataset.status = counter.status;
    }
  }

  /** Called every second: a tile called a while ago stops being highlighted. */
  tick() {
    const now = performance.now();
    for (const [id, tile] of this.tiles) {
      const counter = this.counters.get(id);
      if (tile.root.classList.contains("fresh") && (!counter || now - counter.calledAt >= FRESH_MS)) {
        tile.root.classList.remove("fresh");
      }
    }
  }

  drawWaits() {
    const shown = this.shownServices();
    const key = shown.map((s) => s.id).join(",");
    if (key !== this.waitKey) {
      this.waitKey = key;
      this.waitRows.clear();
      const rows = shown.map((service) => {
        const row = { count: h("span", { class: "wait-count" }), estimate: h("span", { class: "wait-estimate" }) };
        const name = h(
          "span",
          { class: "wait-service" },
          h("span", { class: "vi" }, service.name),
          h("span", { class: "en", lang: "en" }, service.name_en || ""),
        );
        row.root = h("li", { class: "wait-row" }, name, row.count, row.estimate);
        this.waitRows.set(service.id, row);
        return row.root;
      });
      this.nodes.waits.replaceChildren(...rows);
    }
    for (const service of shown) {
      const row = this.waitRows.get(service.id);
      const waiting = this.waiting.get(service.id);
      const count = waiting?.waiting ?? 0;
      setText(row.count, String(count));
      setText(
        row.estimate,
        count ? vi("about_minutes", { n: Math.max(1, Math.round(waiting.estimated_wait_s / 60)) }) : "—",
      );
      row.root.classList.toggle("empty", count === 0);
    }
  }
}
