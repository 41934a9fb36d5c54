// The notices ticker along the bottom edge: the site's notices that are active now, scrolling slowly.
// One animation at a time, started again only when the text or the screen's width changes.

const SPEED = 110; // pixels per second: readable from across the hall
const SEPARATOR = "     ◆     ";

export function activeAt(notice, now) {
  const starts = notice.starts_at ? Date.parse(notice.starts_at) : -Infinity;
  const ends = notice.ends_at ? Date.parse(notice.ends_at) : Infinity;
  return starts <= now && now < ends;
}

export class Ticker {
  constructor(root = document) {
    this.bar = root.getElementById("ticker");
    this.track = root.getElementById("ticker-track");
    this.text = root.getElementById("ticker-text");
    this.notices = [];
    this.shown = null;
    this.width = 0;
    window.addEventListener("resize", () => this.restart());
  }

  set(notices) {
    this.notices = notices ?? [];
    this.refresh();
  }

  /** Show the notices active now (called when they change and every minute). */
  refresh(now = Date.now()) {
    const text = this.notices
      .filter((notice) => activeAt(notice, now))
      .map((notice) => notice.text)
      .join(SEPARATOR);
    if (text === this.shown) return;
    this.shown = text;
    this.text.textContent = text;
    this.bar.hidden = !text;
    this.restart();
  }

  restart() {
    for (const animation of this.track.getAnimations()) animation.cancel();
    if (!this.shown) return;
    const room = this.bar.clientWidth;
    const width = this.text.getBoundingClientRect().width;
    const animation = this.track.animate(
      [{ transform: `translateX(${room}px)` }, { transform: `translateX(${-width}px)` }],
      { duration: ((room + width) / SPEED) * 1000, iterations: Infinity },
    );
    animation.currentTime = (room / SPEED) * 1000; // the first pass starts with the text in view
  }
}
