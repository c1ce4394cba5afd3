import { mix, rgbText, type ThemeColours } from "../panel/theme";

/**
 * Diverging colour for gradients: hue by sign (theme red = positive, blue =
 * negative), strength by log-magnitude relative to the largest |grad| shown,
 * so a gradient 1000× smaller is still visibly tinted. NaN has its own colour.
 */

/** Magnitudes this many decades below the largest still get a tint. */
export const DECADES = 4;
/** Strength is bucketed so similar gradients share a style (cheaper and easier to read). */
const LEVELS = 8;

export class GradientScale {
  private maxAbs = 1;
  /**
   * fill() and stroke() by bucket (NaN, none, LEVELS by sign): a few colours, each made once per theme
   * instead of once per record per step (a 5k view's open made 10k of these strings).
   */
  private fills: string[] = [];
  private strokes: string[] = [];

  constructor(private theme: ThemeColours) {}

  setTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.fills = [];
    this.strokes = [];
  }

  /** The largest finite |grad| shown: the top of the scale. */
  setRange(maxAbs: number): void { this.maxAbs = maxAbs > 0 && Number.isFinite(maxAbs) ? maxAbs : 1; }

  get top(): number { return this.maxAbs; }

  /** 0 (no gradient) .. LEVELS (the largest). */
  level(g: number): number {
    if (!Number.isFinite(g) || g === 0) return 0;
    const t = (Math.log10(Math.abs(g) / this.maxAbs) + DECADES) / DECADES;
    return Math.max(1, Math.min(LEVELS, Math.ceil(t * LEVELS)));
  }

  /** A record's fill for gradient g. */
  fill(g: number): string {
    return (this.fills[this.bucket(g)] ??= this.fillText(g));
  }

  /** Line colour for a gradient flowing along an edge: like `fill`, but strong enough to read as a line. */
  stroke(g: number): string {
    return (this.strokes[this.bucket(g)] ??= this.strokeText(g));
  }

  /** 0 NaN, 1 no gradient (0 or ±∞), then each level of each sign. */
  private bucket(g: number): number {
    if (Number.isNaN(g)) return 0;
    const lvl = this.level(g);
    return lvl === 0 ? 1 : (g > 0 ? 1 : 1 + LEVELS) + lvl;
  }

  private fillText(g: number): string {
    const th = this.theme;
    if (Number.isNaN(g)) return rgbText(mix(th.background, th.nan, 0.55));
    const lvl = this.level(g);
    if (lvl === 0) return rgbText(mix(th.background, th.foreground, 0.07));
    return rgbText(mix(th.background, g > 0 ? th.positive : th.negative, 0.12 + (0.5 * lvl) / LEVELS));
  }

  private strokeText(g: number): string {
    const th = this.theme;
    if (Number.isNaN(g)) return rgbText(th.nan);
    const lvl = this.level(g);
    if (lvl === 0) return rgbText(mix(th.background, th.foreground, 0.35));
    return rgbText(mix(th.background, g > 0 ? th.positive : th.negative, 0.35 + (0.65 * lvl) / LEVELS));
  }

  /** Stops for the legend, from the most negative to the most positive. */
  legendStops(): { value: number; colour: string }[] {
    const stops: { value: number; colour: string }[] = [];
    for (let d = 0; d <= DECADES; d += 1) stops.push({ value: -this.maxAbs / 10 ** d, colour: this.fill(-this.maxAbs / 10 ** d) });
    stops.push({ value: 0, colour: this.fill(0) });
    for (let d = DECADES; d >= 0; d -= 1) stops.push({ value: this.maxAbs / 10 ** d, colour: this.fill(this.maxAbs / 10 ** d) });
    return stops;
  }
}
