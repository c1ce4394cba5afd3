// Browser benchmark of the Gradscope panel (real Chromium, the real dist/webview.js).
// Prints figures as ranges and ratios, asserts nothing. Assumes `node scripts/build.mjs` has built dist/.
//   node bench/browser/panelBench.mjs [--runs N]
// Compares cytoscape's canvas renderer with its WebGL mode (3.31+) on the same graphs in the same run:
//   - a numbers-only update (step/update) at ~2k visible value nodes → the next painted frame (issue 9 target ≤ 16 ms);
//   - opening to ~5,000 visible nodes → painted, and the longest main-thread task meanwhile (target ≤ 1 s, input never frozen);
//   - time to first paint of whole graphs.
// "Painted" = a task queued from the next requestAnimationFrame has run, i.e. after that frame's paint.
// Headless Chromium here has no GPU: WebGL runs on SwiftShader (software), which is what the figures measure.
import * as esbuild from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { timeOpenAll } from "./openTiming.mjs";
import { createRequire } from "node:module";

const root = resolve(new URL("../..", import.meta.url).pathname);
process.env.GRADSCOPE_ROOT = root;
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const onlyArg = process.argv.indexOf("--only");
/** --only update|open|first: one section (the others take minutes on a busy machine). */
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : null;
const section = (name) => only === null || only === name;

// Reuse the test harness and graph generator (TypeScript) by bundling them for Node; --baseline DIR bundles
// DIR's own harness and page (a checkout of an earlier commit, built), so both run in this process, interleaved.
const baseArg = process.argv.indexOf("--baseline");
const baselineDir = baseArg > 0 ? resolve(process.argv[baseArg + 1]) : null;
// Inside node_modules/.cache so the bundle resolves esbuild and playwright-core like the sources do.
const cacheDir = join(root, "node_modules/.cache/gradscope-bench");
mkdirSync(cacheDir, { recursive: true });
const require = createRequire(join(root, "package.json"));
async function loadHarness(dir, name) {
  const out = await esbuild.build({
    stdin: {
      contents: `export * from "./test/browser/harness"; export * from "./test/browser/syntheticGraphs"; export * from "./test/browser/fixtures"; export { snapshotToJSON } from "./src/graph/snapshotJson";`,
      resolveDir: dir, loader: "ts",
    },
    bundle: true, platform: "node", format: "cjs", write: false, external: ["esbuild", "playwright-core"], logLevel: "warning",
  });
  const file = join(cacheDir, `${name}.cjs`);
  writeFileSync(file, out.outputFiles[0].text);
  process.env.GRADSCOPE_ROOT = dir; // read once, when the harness module loads
  return require(file);
}
const mine = await loadHarness(root, "harness");
const base = baselineDir ? await loadHarness(baselineDir, "baseline") : null;
const { mlpOfSize, nextStep, fixture, snapshotToJSON } = mine;

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const range = (xs, d = 1) => { const s = sorted(xs); return `${s[0].toFixed(d)}–${s[s.length - 1].toFixed(d)}`; };
const h = await mine.startHarness();
const hb = base ? await base.startHarness() : null;
/** What is compared, interleaved run by run: this tree's panel with each renderer, and the baseline's. */
// --renderers canvas (skip the WebGL rows: on software GL they take minutes).
const rendArg = process.argv.indexOf("--renderers");
const renderers = rendArg > 0 ? process.argv[rendArg + 1].split(",") : ["canvas", "webgl"];
const VARIANTS = [
  ...(hb ? [{ name: "baseline", harness: hb, renderer: undefined }] : []),
  ...renderers.map((r) => ({ name: r, harness: h, renderer: r })),
];
const has = (name) => VARIANTS.some((v) => v.name === name);
/** A blank frame in the same page: from now to a task queued from the next rAF, nothing changed (the floor of "to the next painted frame"). */
const blankFrame = () => new Promise((resolve) => { const t0 = performance.now(); requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => resolve(performance.now() - t0); ch.port2.postMessage(0); }); });
try {
  console.log(`Gradscope panel benchmark (Chromium headless, software WebGL; ${RUNS} page loads per case, ranges over loads of per-load medians)\n`);
  if (hb) console.log(`baseline: the panel built in ${baselineDir}\n`);
  const probe = await h.open({ renderer: "webgl" });
  const used = await probe.evaluate(() => document.getElementById("graph").dataset.rendererUsed);
  await probe.close();
  if (used !== "webgl") console.log(`(WebGL2 unavailable here: the "webgl" rows fell back to ${used})\n`);

  // 1. Numbers-only update at ~2k visible value nodes.
  if (section("update")) {
  const s1 = mlpOfSize(2000);
  const j1 = snapshotToJSON(s1), j2 = snapshotToJSON(nextStep(s1));
  const upd = Object.fromEntries(VARIANTS.map((v) => [v.name, { handler: [], painted: [], blank: [], visible: 0 }]));
  for (let r = 0; r < RUNS; r++) {
    for (const { name, harness, renderer } of VARIANTS) {
      const page = await harness.open({ width: 1200, height: 800, renderer });
      await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 5000 }));
      await page.evaluate((j) => window.harness.timeSnapshot(j), j1);
      // A big drawing is added in slices: time steps once it is all there.
      await page.waitForFunction(() => !window.gradscope.busy, null, { polling: 20, timeout: 120_000 });
      upd[name].visible = await page.evaluate(() => { const cy = window.gradscope.cy; return cy.scratch("gradscope").valueRecords?.() ?? cy.nodes(".value").length; });
      const handler = [], painted = [], blank = [];
      for (let i = 0; i < 25; i++) {
        const t = await page.evaluate((j) => window.harness.timeMessage(window.harness.toMessage(j, "step/update")), i % 2 ? j1 : j2);
        if (i >= 5) { handler.push(t.handler); painted.push(t.painted); } // the first few warm up the JIT
        // Let queued writes settle, then time a blank frame of the same page.
        await page.evaluate(() => new Promise((r) => setTimeout(r, 30)));
        if (i >= 5) blank.push(await page.evaluate(`(${blankFrame})()`));
      }
      upd[name].handler.push(median(handler));
      upd[name].painted.push(median(painted));
      upd[name].blank.push(median(blank));
      await page.close();
    }
  }
  console.log(`numbers-only update, ${upd[VARIANTS.at(-1).name].visible} value nodes visible (target: next painted frame ≤ 16 ms)`);
  console.log(`  (blank = a frame of the same page with nothing to do, timed the same way: the floor, incl. the wait for vsync)`);
  for (const { name } of VARIANTS) {
    const u = upd[name];
    console.log(`  ${name.padEnd(8)} handling ${range(u.handler)} ms, to the next painted frame ${range(u.painted)} ms = ${range(u.painted.map((x) => x / 16), 2)}× the 16 ms target; blank frame ${range(u.blank)} ms; update / blank ${range(u.painted.map((x, i) => x / u.blank[i]), 2)}×`);
  }
  if (has("webgl") && has("canvas")) console.log(`  webgl / canvas, next painted frame: ${range(upd.webgl.painted.map((x, i) => x / upd.canvas.painted[i]), 2)}×`);
  if (hb) console.log(`  canvas / baseline, next painted frame: ${range(upd.canvas.painted.map((x, i) => x / upd.baseline.painted[i]), 2)}×; handling: ${range(upd.canvas.handler.map((x, i) => x / upd.baseline.handler[i]), 2)}×`);
  console.log("");
  }

  // 2. Opening to ~5,000 visible nodes: a grouped 5k-node graph, then the threshold that shows all of it.
  if (section("open")) {
  const big = snapshotToJSON(mlpOfSize(5000));
  const exp = Object.fromEntries(VARIANTS.map((v) => [v.name, { painted: [], first: [], longest: [], visible: 0 }]));
  for (let r = 0; r < RUNS; r++) {
    for (const { name, harness, renderer } of VARIANTS) {
      const page = await harness.open({ width: 1200, height: 800, renderer });
      await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 100 }));
      await page.evaluate((j) => window.harness.timeSnapshot(j), big);
      const t = await page.evaluate(timeOpenAll);
      // The view's value records (a virtual drawing's cytoscape holds only those near the viewport: counted apart).
      const counts = await page.evaluate(() => { const cy = window.gradscope.cy; return { records: cy.scratch("gradscope").valueRecords?.() ?? cy.nodes(".value").length, inCy: cy.nodes(".value").length }; });
      exp[name].visible = counts.records;
      exp[name].inCy = counts.inCy;
      exp[name].painted.push(t.painted);
      exp[name].first.push(t.first);
      exp[name].longest.push(t.longestTask);
      await page.close();
    }
  }
  console.log(`opening a grouped graph to ${exp[VARIANTS.at(-1).name].visible} visible nodes (target: painted ≤ 1 s, input never frozen)`);
  for (const { name } of VARIANTS) {
    const e = exp[name];
    console.log(`  ${name.padEnd(8)} (${e.inCy} of them in cytoscape) all drawn and painted after ${range(e.painted, 0)} ms = ${range(e.painted.map((x) => x / 1000), 2)}× the 1 s target; first painted frame ${range(e.first, 0)} ms; longest main-thread task ${range(e.longest, 0)} ms`);
  }
  if (has("webgl") && has("canvas")) console.log(`  webgl / canvas, painted: ${range(exp.webgl.painted.map((x, i) => x / exp.canvas.painted[i]), 2)}×`);
  if (hb) console.log(`  canvas / baseline, painted: ${range(exp.canvas.painted.map((x, i) => x / exp.baseline.painted[i]), 2)}×; longest task: ${range(exp.canvas.longest.map((x, i) => x / exp.baseline.longest[i]), 2)}×`);
  console.log("");
  }

  // 3. Time to first paint of whole graphs (graph/set).
  if (section("first")) {
  console.log("time to first paint (graph/set), canvas renderer");
  const cases = [
    ["seed", fixture("chain-rule")], ["coffee-shop", fixture("coffee-shop")],
    ["~1k-node MLP", snapshotToJSON(mlpOfSize(1000))], ["~5k-node MLP", snapshotToJSON(mlpOfSize(5000))],
    ["moons-mlp fixture", fixture("moons-mlp")],
  ];
  for (const [name, json] of cases) {
    const times = [];
    let shown = "";
    for (let r = 0; r < RUNS; r++) {
      const page = await h.open({ width: 1200, height: 800, renderer: "canvas" });
      await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 2000 }));
      // Until the whole drawing is in (big ones are added in slices) and painted.
      times.push(await page.evaluate(async (j) => {
        const t0 = performance.now();
        await window.harness.timeSnapshot(j);
        while (window.gradscope.busy) await new Promise((r) => setTimeout(r, 4));
        await new Promise((r) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = r; ch.port2.postMessage(0); }));
        return performance.now() - t0;
      }, json));
      shown = await page.evaluate(() => `${window.gradscope.cy.nodes().length} cytoscape nodes, ${window.gradscope.cy.edges().length} edges`);
      await page.close();
    }
    console.log(`  ${name.padEnd(18)} ${String(json.nodes).padStart(6)} nodes  ${range(times, 0).padStart(11)} ms   (${shown})`);
  }
  }
} finally {
  await h.close();
  await hb?.close();
}
