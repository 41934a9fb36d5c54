// Staff sign-in, shared by the staff tablet and the manager dashboard: the form of luot/signin.html, the
// session it starts, the check of a kept session when a page opens, and signing out.

import { api, ApiError } from "./api.js";
import { $, say } from "./dom.js";
import { t } from "./i18n.js";
import { session } from "./session.js";

/** What to tell a person whose request failed: the server's message, or that it could not be reached. */
export function describe(error) {
  return error instanceof ApiError && !error.unreachable ? error.message : t("signin.unreachable");
}

/**
 * Wire the sign-in form (once, at start). After a successful sign-in the token is kept and
 * `onSignedIn(user)` runs; a refusal or a network failure is said on the form.
 */
export function signInForm({ onSignedIn }) {
  const form = $("#signin-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      form.reportValidity();
      return;
    }
    try {
      const answer = await api("/api/v1/auth/login", { method: "POST", body: { username, password } });
      session.signedIn(answer.token, answer.user);
      form.reset();
      say($("#signin-message"), "");
      await onSignedIn(answer.user);
    } catch (error) {
      say($("#signin-message"), describe(error), "error");
    }
  });
}

/** Say `message` on the sign-in form (why it is shown again) and put the cursor in the username. */
export function showSignIn(message = "", kind = "") {
  say($("#signin-message"), message, kind);
  $("#signin-form [name=username]").focus();
}

/**
 * The session kept in this browser, checked with the server (GET /api/v1/me): `{user}` when it is valid,
 * `{user: null, ended: true}` when it has ended (it is then forgotten), `{user: null}` when there is none.
 * Other failures (an unreachable server) are thrown.
 */
export async function resumeSession() {
  if (!session.token) return { user: null, ended: false };
  try {
    return { user: { ...session.user, ...(await api("/api/v1/me", { token: session.token })) }, ended: false };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.forget();
      return { user: null, ended: true };
    }
    throw error;
  }
}

/** Sign out: the server revokes the token, and this browser forgets it whatever the server says. */
export async function signOut() {
  try {
    await api("/api/v1/auth/logout", { method: "POST", token: session.token });
  } catch {
    // forgotten here all the same
  }
  session.forget();
}
