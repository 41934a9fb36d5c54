// Date and clock in Vietnamese style, in the site's time zone: "08:05" and "Thứ Hai, 23/11/2026".

export class Clock {
  constructor(root = document) {
    this.time = root.getElementById("clock-time");
    this.date = root.getElementById("clock-date");
    this.setTimeZone("Asia/Ho_Chi_Minh");
  }

  setTimeZone(timeZone) {
    this.parts = new Intl.DateTimeFormat("vi-VN", {
      timeZone,
      weekday: "long",
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
  }

  /** Update the clock; returns the site's local {hour, minute}. */
  tick(at = new Date()) {
    const p = Object.fromEntries(this.parts.formatToParts(at).map((part) => [part.type, part.value]));
    const weekday = p.weekday.charAt(0).toUpperCase() + p.weekday.slice(1);
    const time = `${p.hour}:${p.minute}`;
    const date = `${weekday}, ${p.day}/${p.month}/${p.year}`;
    if (this.time.textContent !== time) this.time.textContent = time;
    if (this.date.textContent !== date) this.date.textContent = date;
    return { hour: Number(p.hour), minute: Number(p.minute) };
  }
}
