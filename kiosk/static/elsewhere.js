// "Without boundaries" (phi địa giới): a citizen may go to any intake point of their commune. When another
// site of the same commune has a clearly shorter wait for the chosen service, the kiosk says so before
// issuing — it offers, never forces.
//
// Clearly shorter: open now for that service with at least one counter open for it (a site whose every
// counter is closed would send the citizen to wait for nobody), and its estimated wait is at least 15 minutes shorter AND at
// most two thirds of the wait here (so 40 → 25 min is not enough, 60 → 20 min is). Waits come from the
// public API: GET /api/v1/sites (same commune code), /sites/{id}/services (matched by service code) and
// /sites/{id}/wait. The travel to the other site is not known, hence the margin.
//
// On a site box the other sites are not served here: /sites/{id}/elsewhere gives their figures as the
// upstream last sent them, with their age (none once older than a few minutes); the kiosk shows the age.

import { api } from "/static/luot/api.js";

export const MIN_GAIN_S = 15 * 60;
export const MAX_RATIO = 2 / 3;

export function clearlyShorter(hereS, thereS) {
  return hereS - thereS >= MIN_GAIN_S && thereS <= hereS * MAX_RATIO;
}

const CACHE_MS = 20_000;
const cache = new Map(); // site id -> {at, services, waits}

async function siteData(siteId) {
  const hit = cache.get(siteId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit;
  const [services, waits] = await Promise.all([
    api(`/api/v1/sites/${siteId}/services`),
    api(`/api/v1/sites/${siteId}/wait`),
  ]);
  const entry = { at: Date.now(), services, waits };
  cache.set(siteId, entry);
  if (cache.size > 50) cache.delete(cache.keys().next().value);
  return entry;
}

/**
 * The other site of the commune with the shortest wait for `service`, if it is clearly shorter than
 * `hereS`: {site, waiting, estimated_wait_s} or null. Failures count as "nothing better".
 */
export async function shorterElsewhere(sites, here, service, hereS) {
  const others = sites.filter((s) => s.id !== here.id && s.open_now && s.commune?.code === here.commune?.code);
  let best = null;
  for (const site of others) {
    try {
      const { services, waits } = await siteData(site.id);
      const same = services.find((s) => s.code === service.code && s.open_now);
      const wait = same && waits.find((w) => w.service_id === same.id);
      if (!wait || !(wait.counters_open > 0) || !clearlyShorter(hereS, wait.estimated_wait_s)) continue;
      if (!best || wait.estimated_wait_s < best.estimated_wait_s) {
        best = { site, waiting: wait.waiting, estimated_wait_s: wait.estimated_wait_s };
      }
    } catch {
      // another site that does not answer is simply not suggested
    }
  }
  return best ?? (others.length ? null : await lastHeard(here, service, hereS));
}

/** At a site box: the best of the other sites' last known figures (with `age_s`), or null. */
async function lastHeard(here, service, hereS) {
  let entries;
  try {
    entries = await api(`/api/v1/sites/${here.id}/elsewhere`);
  } catch {
    return null;
  }
  let best = null;
  for (const { site, age_s: ageS, services } of entries) {
    const wait = site.open_now && services.find((s) => s.code === service.code && s.open_now);
    if (!wait || !clearlyShorter(hereS, wait.estimated_wait_s)) continue;
    if (!best || wait.estimated_wait_s < best.estimated_wait_s) {
      best = { site, waiting: wait.waiting, estimated_wait_s: wait.estimated_wait_s, age_s: ageS };
    }
  }
  return best;
}
