/**
 * Which cytoscape renderer draws the graph: its canvas renderer, or the same
 * renderer in WebGL mode (cytoscape ≥ 3.31), which draws nodes and edges in
 * instanced batches. WebGL mode needs WebGL2; where there is none (remote
 * sessions, blocked GPUs) the canvas renderer is used. The page can ask for
 * one (`<body data-renderer>`, from panelHtml); "auto" is the measured choice
 * (bench/browser/panelBench.mjs).
 */

export type RendererName = "canvas" | "webgl";

/** What "auto" means, from the benchmark's figures (see the README's table). */
export const AUTO_RENDERER: RendererName = "canvas";

export function webgl2Available(): boolean {
  try {
    return document.createElement("canvas").getContext("webgl2") !== null;
  } catch {
    return false;
  }
}

export function chooseRenderer(requested: string | undefined): RendererName {
  const want: RendererName = requested === "webgl" || requested === "canvas" ? requested : AUTO_RENDERER;
  return want === "webgl" && !webgl2Available() ? "canvas" : want;
}

/** cytoscape's `renderer` option for a choice. */
export function rendererOption(name: RendererName): { name: "canvas"; webgl?: boolean } {
  return name === "webgl" ? { name: "canvas", webgl: true } : { name: "canvas" };
}
