// Where this tablet served last: the site and counter chosen, kept across sign-ins (a tablet usually stays
// at one counter). The staff session itself is /static/luot/session.js.

const SITE = "luot.staff.site";
const COUNTER = "luot.staff.counter";

const number = (key) => Number.parseInt(localStorage.getItem(key) ?? "", 10) || null;

export const place = {
  /** `{siteId, counterId}` chosen last on this browser (either may be null). */
  get last() {
    return { siteId: number(SITE), counterId: number(COUNTER) };
  },
  remember(siteId, counterId) {
    localStorage.setItem(SITE, String(siteId));
    if (counterId) localStorage.setItem(COUNTER, String(counterId));
    else localStorage.removeItem(COUNTER);
  },
};
