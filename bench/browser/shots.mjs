// Screenshots of a 5k-record view (the panelBench "open" case) to look at: fitted, zoomed out to all of it, part
// way out (below the zoom where records join cytoscape), and zoomed in to read, at the same viewports for each root.
//   node bench/browser/shots.mjs OUTDIR ROOT [ROOT...]   (each ROOT built; files OUTDIR/<n>-<view>.png, n = ROOT's index)
import * as esbuild from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
const [outDir, ...roots] = process.argv.slice(2).map((p) => resolve(p));
mkdirSync(outDir, { recursive: true });
const here = resolve(new URL("../..", import.meta.url).pathname);
for (const [k, root] of roots.entries()) {
  process.env.GRADSCOPE_ROOT = root;
  const require = createRequire(join(here, "package.json"));
  const out = await esbuild.build({ stdin: { contents: `export * from "./test/browser/harness"; export * from "./test/browser/syntheticGraphs"; export { snapshotToJSON } from "./src/graph/snapshotJson";`, resolveDir: root, loader: "ts" }, bundle: true, platform: "node", format: "cjs", write: false, external: ["esbuild", "playwright-core"], logLevel: "warning" });
  const file = join(here, `node_modules/.cache/shots${k}.cjs`); writeFileSync(file, out.outputFiles[0].text);
  const m = require(file);
  const h = await m.startHarness();
  try {
    const page = await h.open({ width: 1200, height: 800, renderer: "canvas" });
    await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 100 }));
    await page.evaluate((j) => window.harness.timeSnapshot(j), m.snapshotToJSON(m.mlpOfSize(5000)));
    await page.evaluate(() => window.gradscope.receive({ type: "config/set", collapseThreshold: 6000 }));
    const settle = async () => { await page.waitForFunction(() => !window.gradscope.busy, null, { polling: 50, timeout: 180_000 }); await page.waitForTimeout(400); };
    await settle();
    await page.screenshot({ path: join(outDir, `${k}-fit.png`) });
    const views = { all: [0.02, 0.5, 0.02], part: [0.15, 0.5, 0.5], in: [1.0, 0.5, 0.5], inTop: [1.0, 0.3, 0.02] };
    for (const [name, [zoom, fx, fy]] of Object.entries(views)) {
      // zoom, and the model point (as a fraction of the drawing's bounds) at the centre.
      await page.evaluate(([z, a, b]) => {
        const cy = window.gradscope.cy;
        const bb = cy.nodes().boundingBox({ includeLabels: false });
        const d = window.gradscope.explorer?.graph?.drawing;
        const bounds = d ? d.bounds : bb;
        const x = bounds.x1 + a * (bounds.x2 - bounds.x1), y = bounds.y1 + b * (bounds.y2 - bounds.y1);
        cy.viewport({ zoom: z, pan: { x: cy.width() / 2 - x * z, y: cy.height() / 2 - y * z } });
      }, [zoom, fx, fy]);
      await settle();
      await page.screenshot({ path: join(outDir, `${k}-${name}.png`) });
    }
    // Around the first parameter (double borders, inputs dashed), just below the zoom where records join cytoscape.
    await page.evaluate(() => {
      const cy = window.gradscope.cy;
      const q = cy.scratch("gradscope").positionOf?.("n0") ?? cy.$("#n0").position();
      cy.viewport({ zoom: 0.28, pan: { x: cy.width() / 2 - q.x * 0.28, y: cy.height() / 2 - q.y * 0.28 } });
    });
    await settle();
    await page.screenshot({ path: join(outDir, `${k}-params.png`), clip: { x: 300, y: 200, width: 600, height: 300 } });
    console.log(root, await page.evaluate(() => window.gradscope.cy.nodes().length), "nodes in cytoscape at the end");
  } finally { await h.close(); }
}
