// A kiosk or display is enrolled by opening its page once with ?token=DEVICE_TOKEN: the token is kept in
// local storage and removed from the address bar, so it is neither bookmarked nor shown.

export function deviceToken(kind) {
  const key = `luot.${kind}.token`;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    localStorage.setItem(key, fromUrl);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return localStorage.getItem(key);
}

export function forgetDevice(kind) {
  localStorage.removeItem(`luot.${kind}.token`);
}

/** Keep a token obtained another way (the kiosk's enrolment screen exchanges a short code for one). */
export function rememberDevice(kind, token) {
  localStorage.setItem(`luot.${kind}.token`, token);
}
