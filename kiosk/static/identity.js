// Phone numbers and citizen IDs typed on the kiosk, or read from a chip ID card's QR code by a USB scanner.
// They are used for the per-person limit and "your turn is near" notices, sent only when a ticket is
// issued, and never shown back on screen: only their last digits are.

export const PHONE = /^0\d{9}$/;
export const CITIZEN_ID = /^(\d{12}|\d{9})$/;

/**
 * The citizen ID from a chip ID card's QR text (`id|old id|name|dob|sex|address|issue date`), or null.
 * Only the ID leaves this function: the name, birth date and address are dropped here, in the page.
 */
export function idFromChipCard(text) {
  if (!text.includes("|")) return null;
  const id = text.slice(0, text.indexOf("|")).replace(/\s/g, "");
  return CITIZEN_ID.test(id) ? id : null;
}

/** "+84 912 345 678" → "0912345678" (what the server stores), or the digits as typed. */
export function normalisePhone(raw) {
  let digits = raw.replace(/[\s.\-()]/g, "");
  if (digits.startsWith("+84")) digits = `0${digits.slice(3)}`;
  return digits;
}

export function lastDigits(value, count = 2) {
  return value ? value.slice(-count) : "";
}

/** Digits grouped for reading while typing: "0912 345 678", "0010 9001 2345". */
export function grouped(digits, mode) {
  const sizes = mode === "phone" ? [4, 3, 3] : [4, 4, 4];
  const parts = [];
  let rest = digits;
  for (const size of sizes) {
    if (!rest) break;
    parts.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  if (rest) parts.push(rest);
  return parts.join(" ");
}
