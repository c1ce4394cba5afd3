import uPlot from "uplot";
import { formatNumber as fmt } from "../../src/graph/format";
import { rgbText, mix, type ThemeColours } from "../panel/theme";

/**
 * The loss curve: grows live (set/append), log scale toggle, drag to zoom,
 * double-click to reset, hover shows step and loss. Clicking a step whose
 * snapshot the host still holds asks to show it.
 */
const MAX_POINTS = 100_000;

export class LossChart {
  private steps: number[] = [];
  private losses: number[] = [];
  private available = new Set<number>();
  private plot: uPlot | null = null;
  private logScale = false;
  private zoomed = false;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly readout: HTMLElement,
    private theme: ThemeColours,
    private readonly onPickStep: (step: number) => void,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizeObserver.observe(container);
    this.updateReadout(null);
    // uPlot resets the zoom on double-click; follow the live curve again.
    container.addEventListener("dblclick", () => (this.zoomed = false));
    container.addEventListener("click", () => {
      const idx = this.plot?.cursor.idx;
      if (idx === null || idx === undefined) return;
      const step = this.steps[idx];
      if (this.available.has(step)) this.onPickStep(step);
    });
  }

  /** Replace the curve: losses[i] is the loss of step from + i·stride. */
  set(from: number, losses: ArrayLike<number>, stride = 1): void {
    this.steps = Array.from(losses, (_, i) => from + i * stride);
    this.losses = Array.from(losses);
    this.capPoints();
    this.redraw(true);
  }

  /** Extend the curve; a step already shown is overwritten (the host may resend the last one). */
  append(from: number, losses: ArrayLike<number>): void {
    for (let i = 0; i < losses.length; i++) {
      const step = from + i;
      const last = this.steps.length > 0 ? this.steps[this.steps.length - 1] : -Infinity;
      if (step > last) { this.steps.push(step); this.losses.push(losses[i]); continue; }
      const at = this.steps.indexOf(step);
      if (at >= 0) this.losses[at] = losses[i];
    }
    this.capPoints();
    this.redraw(false);
  }

  /**
   * A long fast run must not grow the chart without bound (each append redraws it):
   * past MAX_POINTS, neighbouring points merge into their mean, as the host's history does.
   */
  private capPoints(): void {
    while (this.steps.length > MAX_POINTS) {
      const n = this.steps.length;
      const half = Math.ceil(n / 2);
      for (let i = 0; i < half; i++) {
        const j = 2 * i;
        this.steps[i] = this.steps[j];
        this.losses[i] = j + 1 < n ? (this.losses[j] + this.losses[j + 1]) / 2 : this.losses[j];
      }
      this.steps.length = half;
      this.losses.length = half;
    }
  }

  setAvailable(steps: number[]): void {
    this.available = new Set(steps);
    this.redraw(false);
  }

  setLogScale(on: boolean): void {
    if (on === this.logScale) return;
    this.logScale = on;
    this.rebuild();
  }

  get isLogScale(): boolean { return this.logScale; }

  setTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.rebuild();
  }

  /** The curve as shown (merged points included), for the loss-curve CSV. */
  points(): { steps: number[]; losses: number[] } {
    return { steps: this.steps, losses: this.losses };
  }

  /** A new model: no curve, no history. */
  clear(): void {
    this.steps = [];
    this.losses = [];
    this.available = new Set();
    this.zoomed = false;
    // A fresh plot: uPlot keeps the last model's scales on empty data.
    this.rebuild();
  }

  get length(): number { return this.steps.length; }

  private size() {
    return { width: Math.max(120, this.container.clientWidth), height: Math.max(60, this.container.clientHeight) };
  }

  private data(): uPlot.AlignedData {
    // Log scale cannot show zero or negative losses; leave gaps rather than lie.
    const ys = this.logScale ? this.losses.map((y) => (y > 0 ? y : null)) : this.losses.map((y) => (Number.isFinite(y) ? y : null));
    const marks = this.steps.map((s, i) => (this.available.has(s) ? ys[i] : null));
    return [this.steps, ys, marks];
  }

  private redraw(resetScales: boolean): void {
    if (!this.plot) { this.rebuild(); return; }
    // A growing curve stays in view, unless the user zoomed in to look at something.
    if (resetScales) this.zoomed = false;
    this.plot.setData(this.data(), !this.zoomed);
    this.updateReadout(null);
  }

  private rebuild(): void {
    this.plot?.destroy();
    const th = this.theme;
    const fg = rgbText(th.foreground);
    const grid = rgbText(mix(th.background, th.foreground, 0.12));
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: `11px ${th.fontFamily}` };
    const opts: uPlot.Options = {
      ...this.size(),
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: { x: { time: false }, y: this.logScale ? { distr: 3 } : { range: (_u, min, max) => paddedRange(min, max) } },
      axes: [{ ...axis, values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : "")) }, { ...axis, size: 56, values: (_u, vals) => vals.map((v) => fmt(v)) }],
      series: [
        {},
        { label: "loss", stroke: rgbText(th.loss), width: 2, spanGaps: false, points: { show: (u) => u.data[0].length < 60 } },
        { label: "history", stroke: "transparent", points: { show: true, size: 6, stroke: rgbText(th.highlight), fill: rgbText(th.highlight) } },
      ],
      hooks: {
        setCursor: [(u) => this.updateReadout(u.cursor.idx ?? null)],
        setSelect: [(u) => { if (u.select.width > 0) this.zoomed = true; }],
      },
    };
    this.plot = new uPlot(opts, this.data(), this.container);
    this.updateReadout(null);
  }

  private updateReadout(idx: number | null): void {
    if (this.steps.length === 0) { this.readout.textContent = "no steps yet"; return; }
    const i = idx ?? this.steps.length - 1;
    const hint = idx !== null && this.available.has(this.steps[i]) ? " · click to view this step" : "";
    this.readout.textContent = `step ${this.steps[i]}: ${fmt(this.losses[i])}${hint}`;
  }
}

/** A flat or single-point curve still gets a readable y range around its value. */
function paddedRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) { const pad = Math.abs(min) * 0.5 || 1; return [min - pad, max + pad]; }
  const pad = (max - min) * 0.08;
  return [min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad];
}
