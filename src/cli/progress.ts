const BAR = 24;

/** Human output: a line per step; on a terminal, long runs become one progress line redrawn in place. Returns text; the caller writes it. */
export class ProgressLine {
  private drawn = false;
  private lastLoss = NaN;

  constructor(private readonly total: number | undefined, private readonly tty: boolean) {}

  step(step: number, loss: number, nodes: number): string {
    this.lastLoss = loss;
    if (!this.tty || step <= 20) return `${this.interrupt()}step ${String(step).padStart(5)}  loss ${fmt(loss)}  (${nodes.toLocaleString("en-US")} nodes)\n`;
    const frac = this.total ? Math.min(1, step / this.total) : 0;
    const bar = this.total ? `[${"#".repeat(Math.round(frac * BAR)).padEnd(BAR, ".")}] ` : "";
    this.drawn = true;
    return `\r${bar}step ${step}${this.total ? `/${this.total}` : ""}  loss ${fmt(loss)}\x1b[K`;
  }

  /** Text to write before other output so it does not land on the progress line. */
  interrupt(): string {
    if (!this.drawn) return "";
    this.drawn = false;
    return "\n";
  }

  /** The summary line; `detail` replaces it when the outcome needs explaining (no backward() call). */
  finish(steps: number, reason: string, detail?: string): string {
    if (detail) return `${this.interrupt()}${detail}\n`;
    return `${this.interrupt()}${reason === "finished" || reason === "max-steps" ? "done" : reason}: ${steps} step${steps === 1 ? "" : "s"}${Number.isNaN(this.lastLoss) ? "" : `, final loss ${fmt(this.lastLoss)}`}\n`;
  }
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(6) : String(x));
