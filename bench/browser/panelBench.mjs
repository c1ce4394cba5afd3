// Browser benchmark of the Gradscope panel (real Chromium, the real dist/webview.js).
// Prints figures, asserts nothing. Assumes `node scripts/build.mjs` has built dist/.
//   node bench/browser/panelBench.mjs
// Time to first paint = from the message leaving the host side of the page until the
// panel has handled it and two frames were drawn (snapshot decoding excluded: in VS Code
// typed arrays arrive already decoded).
import * as esbuild from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const root = resolve(new URL("../..", import.meta.url).pathname);
process.env.GRADSCOPE_ROOT = root;

// Reuse the test harness and graph generator (TypeScript) by bundling them for Node.
const out = await esbuild.build({
  stdin: {
    contents: `export * from "./test/browser/harness"; export * from "./test/browser/syntheticGraphs"; export * from "./test/browser/fixtures"; export { snapshotToJSON } from "./src/graph/snapshotJson";`,
    resolveDir: root, loader: "ts",
  },
  bundle: true, platform: "node", format: "cjs", write: false, external: ["esbuild", "playwright-core"], logLevel: "warning",
});
// Inside node_modules/.cache so the bundle resolves esbuild and playwright-core like the sources do.
const cacheDir = join(root, "node_modules/.cache/gradscope-bench");
mkdirSync(cacheDir, { recursive: true });
const bundleFile = join(cacheDir, "harness.cjs");
writeFileSync(bundleFile, out.outputFiles[0].text);
const require = createRequire(join(root, "package.json"));
const { startHarness, mlpOfSize, nextStep, fixture, snapshotToJSON } = require(bundleFile);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const RUNS = 3;

const h = await startHarness();
try {
  console.log("Gradscope panel benchmark (Chromium headless, median of %d)\n", RUNS);
  console.log("time to first paint (graph/set)");
  const cases = [
    ["~1k-node MLP", snapshotToJSON(mlpOfSize(1000))],
    ["~5k-node MLP", snapshotToJSON(mlpOfSize(5000))],
    ["~50k-node MLP", snapshotToJSON(mlpOfSize(50000))],
    ["moons-mlp fixture", fixture("moons-mlp")],
  ];
  for (const [name, json] of cases) {
    const times = [];
    let shown = "";
    for (let r = 0; r < RUNS; r++) {
      const page = await h.open({ width: 1200, height: 800 });
      times.push(await page.evaluate((j) => window.harness.timeSnapshot(j), json));
      shown = await page.evaluate(() => `${window.gradscope.cy.nodes().length} cytoscape nodes, ${window.gradscope.cy.edges().length} edges`);
      await page.close();
    }
    console.log(`  ${name.padEnd(18)} ${String(json.nodes).padStart(6)} nodes  ${median(times).toFixed(0).padStart(6)} ms   (${shown})`);
  }

  console.log("\nnumbers-only update (step/update) at ~2k visible value nodes");
  const s1 = mlpOfSize(2000);
  const j1 = snapshotToJSON(s1), j2 = snapshotToJSON(nextStep(s1));
  const page = await h.open({ width: 1200, height: 800 });
  await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 5000 }));
  await page.evaluate((j) => window.harness.timeSnapshot(j), j1);
  const visible = await page.evaluate(() => window.gradscope.cy.nodes(".value").length);
  const handler = [], frame = [];
  for (let i = 0; i < 30; i++) {
    const t = await page.evaluate((j) => window.harness.timeHandler(j, "step/update"), i % 2 ? j1 : j2);
    if (i >= 5) { handler.push(t.handler); frame.push(t.frame); } // the first few warm up the JIT
  }
  console.log(`  ${visible} value nodes visible: ${median(handler).toFixed(1)} ms handling the message, ${median(frame).toFixed(1)} ms until the next frame`);
  await page.close();
} finally {
  await h.close();
}
