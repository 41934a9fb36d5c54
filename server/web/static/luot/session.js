// The staff session kept in this browser: the token from sign-in (until sign-out, expiry or a 401) and the
// user it belongs to. Shared by the staff tablet, the manager dashboard and its printable report.

const TOKEN = "luot.staff.token";
const USER = "luot.staff.user";

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

export const session = {
  get token() {
    return localStorage.getItem(TOKEN);
  },
  get user() {
    return readJson(USER);
  },
  signedIn(token, user) {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(USER, JSON.stringify(user));
  },
  forget() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
  },
};

/** Where staff pages keep their language choice (see language.js). */
export const STAFF_LANGUAGE = "luot.staff.language";
