// A ticket's business day beside its number. Tickets of a service that keeps its queue overnight
// (`overnight: true`) keep their day's number, so yesterday's C100 and today's C100 can wait at once:
// a ticket of today shows no day, one of an earlier day shows "dd/mm" to tell the two apart.

/** Today's local date as the API writes days (YYYY-MM-DD). */
export function localToday(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "dd/mm" for a ticket of an earlier day than today; "" for today's (or an unknown day). */
export function ticketDay(day, now = new Date()) {
  if (!day || day === localToday(now)) return "";
  const [, month, date] = day.split("-");
  return `${date}/${month}`;
}
