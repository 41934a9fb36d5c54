// What the tablet remembers in its browser: the staff token (until sign-out, expiry or a 401), and the
// site and counter chosen last (kept across sign-ins: a tablet usually stays at one counter).

const KEYS = {
  token: "luot.staff.token",
  user: "luot.staff.user",
  site: "luot.staff.site",
  counter: "luot.staff.counter",
};

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

export const session = {
  get token() {
    return localStorage.getItem(KEYS.token);
  },
  get user() {
    return readJson(KEYS.user);
  },
  signedIn(token, user) {
    localStorage.setItem(KEYS.token, token);
    localStorage.setItem(KEYS.user, JSON.stringify(user));
  },
  forget() {
    localStorage.removeItem(KEYS.token);
    localStorage.removeItem(KEYS.user);
  },
  /** `{siteId, counterId}` chosen last on this browser (either may be null). */
  get place() {
    const number = (key) => Number.parseInt(localStorage.getItem(key) ?? "", 10) || null;
    return { siteId: number(KEYS.site), counterId: number(KEYS.counter) };
  },
  remember(siteId, counterId) {
    localStorage.setItem(KEYS.site, String(siteId));
    if (counterId) localStorage.setItem(KEYS.counter, String(counterId));
    else localStorage.removeItem(KEYS.counter);
  },
};
