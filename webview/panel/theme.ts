/**
 * The VS Code theme as concrete colours. Cytoscape draws on a canvas and cannot
 * read CSS variables, so we resolve them here and re-resolve when VS Code
 * switches theme (it changes the body's class).
 */

export type ThemeKind = "dark" | "light" | "high-contrast" | "high-contrast-light";

export interface Rgb { r: number; g: number; b: number }

export interface ThemeColours {
  kind: ThemeKind;
  background: Rgb;
  foreground: Rgb;
  muted: Rgb;
  positive: Rgb;
  negative: Rgb;
  nan: Rgb;
  param: Rgb;
  loss: Rgb;
  highlight: Rgb;
  contrastBorder: Rgb | null;
  fontFamily: string;
  monoFamily: string;
}

export function themeKind(body: HTMLElement): ThemeKind {
  const c = body.classList;
  if (c.contains("vscode-high-contrast-light")) return "high-contrast-light";
  if (c.contains("vscode-high-contrast")) return "high-contrast";
  if (c.contains("vscode-light")) return "light";
  return "dark";
}

const scratch = document.createElement("canvas").getContext("2d");

/** Any CSS colour → rgb, through the canvas parser (handles #rgb, #rrggbbaa, rgb(), names). */
export function parseColour(css: string, fallback: Rgb): Rgb {
  if (!scratch || !css.trim()) return fallback;
  scratch.fillStyle = "#010203";
  scratch.fillStyle = css.trim();
  const v = String(scratch.fillStyle);
  if (v === "#010203" && css.trim() !== "#010203") return fallback;
  if (v.startsWith("#")) return { r: parseInt(v.slice(1, 3), 16), g: parseInt(v.slice(3, 5), 16), b: parseInt(v.slice(5, 7), 16) };
  const m = v.match(/[\d.]+/g);
  return m ? { r: +m[0], g: +m[1], b: +m[2] } : fallback;
}

export function rgbText(c: Rgb): string {
  return `rgb(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)})`;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t };
}

export function readTheme(body: HTMLElement = document.body): ThemeColours {
  const kind = themeKind(body);
  const css = getComputedStyle(body);
  const v = (name: string) => css.getPropertyValue(name);
  const light = kind === "light" || kind === "high-contrast-light";
  const background = parseColour(v("--vscode-editor-background"), light ? { r: 255, g: 255, b: 255 } : { r: 30, g: 30, b: 30 });
  const foreground = parseColour(v("--vscode-editor-foreground") || v("--vscode-foreground"), light ? { r: 31, g: 31, b: 31 } : { r: 212, g: 212, b: 212 });
  const contrast = v("--vscode-contrastBorder").trim();
  return {
    kind,
    background,
    foreground,
    muted: parseColour(v("--vscode-descriptionForeground"), mix(background, foreground, 0.6)),
    positive: parseColour(v("--vscode-charts-red"), { r: 241, g: 76, b: 76 }),
    negative: parseColour(v("--vscode-charts-blue"), { r: 55, g: 148, b: 255 }),
    nan: parseColour(v("--vscode-charts-yellow"), { r: 204, g: 167, b: 0 }),
    param: parseColour(v("--vscode-charts-purple"), { r: 179, g: 128, b: 255 }),
    loss: parseColour(v("--vscode-charts-orange"), { r: 209, g: 134, b: 22 }),
    highlight: parseColour(v("--vscode-focusBorder"), { r: 0, g: 127, b: 212 }),
    contrastBorder: contrast ? parseColour(contrast, foreground) : null,
    fontFamily: v("--vscode-font-family").trim() || "system-ui, sans-serif",
    monoFamily: v("--vscode-editor-font-family").trim() || "monospace",
  };
}

/** Calls back whenever VS Code switches theme. */
export function watchTheme(body: HTMLElement, onChange: (t: ThemeColours) => void): void {
  let last = body.className;
  new MutationObserver(() => {
    if (body.className === last) return;
    last = body.className;
    onChange(readTheme(body));
  }).observe(body, { attributes: true, attributeFilter: ["class", "style"] });
}
