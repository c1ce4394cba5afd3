/**
 * What a screen reader hears, in one polite live region: training progress
 * (step and loss) at most once a second however fast steps arrive — the
 * latest one wins, and the last is always heard — and short messages about
 * what the user just did (why a control is disabled, what a group opened into).
 * Everything else in the panel (details, table, chart) stays silent on updates.
 */

const PROGRESS_INTERVAL_MS = 1000;

export class Announcer {
  private lastProgressAt = -Infinity;
  private pending: string | null = null;
  private timer = 0;

  constructor(private readonly region: HTMLElement) {}

  /** A message in answer to the user: spoken now (replacing any progress line). */
  say(text: string): void {
    // Re-setting identical text would not be spoken again; a trailing no-break space makes it new.
    this.region.textContent = this.region.textContent === text ? `${text}\u00a0` : text;
  }

  /** Step and loss, throttled: the first at once, then at most one a second with the newest numbers. */
  progress(text: string): void {
    const now = performance.now();
    const wait = this.lastProgressAt + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0 && !this.timer) { this.write(text, now); return; }
    this.pending = text;
    if (!this.timer) this.timer = window.setTimeout(() => {
      this.timer = 0;
      if (this.pending !== null) this.write(this.pending, performance.now());
    }, Math.max(0, wait));
  }

  /** A new model: nothing queued from the last one. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = 0;
    this.pending = null;
    this.region.textContent = "";
  }

  private write(text: string, now: number): void {
    this.pending = null;
    this.lastProgressAt = now;
    this.region.textContent = text;
  }
}
