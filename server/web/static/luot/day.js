// A ticket's business day beside its number. Tickets of a service that keeps its queue overnight
// (`overnight: true`) keep their day's number, so yesterday's C100 and today's C100 can wait at once:
// a ticket of today shows no day, one of an earlier day shows "dd/mm" to tell the two apart.
// "Today" is the site's local date (its time zone, Viet Nam's by default), whatever the device's own zone.

export const SITE_ZONE = "Asia/Ho_Chi_Minh";

/** Today's date in `timeZone`, as the API writes days (YYYY-MM-DD). */
export function localToday(now = new Date(), timeZone = SITE_ZONE) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(now)
    .reduce((all, part) => ({ ...all, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** "dd/mm" for a ticket of a day before the site's today; "" for today's (or an unknown day). */
export function ticketDay(day, { now = new Date(), timeZone = SITE_ZONE } = {}) {
  if (!day || day >= localToday(now, timeZone)) return "";
  const [, month, date] = day.split("-");
  return `${date}/${month}`;
}
