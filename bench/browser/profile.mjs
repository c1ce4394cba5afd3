// CPU profile (CDP) of one panelBench case, top self and inclusive times: node bench/browser/profile.mjs [ROOT] [open|update] (after a build).
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { timeOpenAll } from "./openTiming.mjs";
const root = resolve(process.argv[2] ?? new URL("../..", import.meta.url).pathname);
const which = process.argv[3] ?? "open";
process.env.GRADSCOPE_ROOT = root;
const require = createRequire(join(root, "package.json"));
const out = await esbuild.build({ stdin: { contents: `export * from "./test/browser/harness"; export * from "./test/browser/syntheticGraphs"; export { snapshotToJSON } from "./src/graph/snapshotJson";`, resolveDir: root, loader: "ts" }, bundle: true, platform: "node", format: "cjs", write: false, external: ["esbuild", "playwright-core"], logLevel: "warning" });
const file = join(root, "node_modules/.cache/prof.cjs"); writeFileSync(file, out.outputFiles[0].text);
const m = require(file);
const h = await m.startHarness();
try {
  const page = await h.open({ width: 1200, height: 800, renderer: "canvas" });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable"); await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  let t;
  if (which === "open") {
    await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 100 }));
    await page.evaluate((j) => window.harness.timeSnapshot(j), m.snapshotToJSON(m.mlpOfSize(5000)));
    await cdp.send("Profiler.start");
    const o = await page.evaluate(timeOpenAll);
    t = { handler: Math.round(o.handler), first: Math.round(o.first), painted: Math.round(o.painted), longTasks: o.longTasks.map(Math.round), visible: o.visible };
  } else {
    const s1 = m.mlpOfSize(2000); const j1 = m.snapshotToJSON(s1), j2 = m.snapshotToJSON(m.nextStep(s1));
    await page.evaluate(() => window.harness.send({ type: "config/set", collapseThreshold: 5000 }));
    await page.evaluate((j) => window.harness.timeSnapshot(j), j1);
    for (let i = 0; i < 5; i++) await page.evaluate((j) => window.harness.timeMessage(window.harness.toMessage(j, "step/update")), i % 2 ? j1 : j2);
    await cdp.send("Profiler.start");
    const ts = [];
    for (let i = 0; i < 10; i++) ts.push(await page.evaluate((j) => window.harness.timeMessage(window.harness.toMessage(j, "step/update")), i % 2 ? j1 : j2));
    t = ts.map((x) => x.painted.toFixed(1)).join(" ");
  }
  const { profile } = await cdp.send("Profiler.stop");
  console.log("timing", JSON.stringify(t));
  const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas; let total = 0;
  profile.samples.forEach((id, k) => { const n = byId.get(id); const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`; self.set(key, (self.get(key) ?? 0) + dt[k]); total += dt[k]; });
  console.log("total ms", (total / 1000).toFixed(0));
  [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log((v / 1000).toFixed(1).padStart(8), k));
  // Inclusive time per function name (each sample counted once per distinct name on its stack).
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, k) => { const seen = new Set(); for (let x = id; x !== undefined; x = parent.get(x)) { const f = byId.get(x).callFrame.functionName; if (f && !seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) ?? 0) + dt[k]); } } });
  console.log("--- inclusive");
  [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60).forEach(([k, v]) => console.log((v / 1000).toFixed(1).padStart(8), k));
  const treeArg = process.argv.indexOf("--tree");
  if (treeArg > 0) {
    const name = process.argv[treeArg + 1];
    const selfMs = new Map();
    profile.samples.forEach((id, k) => selfMs.set(id, (selfMs.get(id) ?? 0) + dt[k] / 1000));
    const totalOf = new Map();
    const tot = (id) => { if (totalOf.has(id)) return totalOf.get(id); const n = byId.get(id); let t = selfMs.get(id) ?? 0; for (const c of n.children ?? []) t += tot(c); totalOf.set(id, t); return t; };
    const merge = (ids) => { const m = new Map(); for (const id of ids) { const n = byId.get(id); const k = n.callFrame.functionName || "(anon)"; const e = m.get(k) ?? { t: 0, ids: [] }; e.t += tot(id); e.ids.push(id); m.set(k, e); } return m; };
    const print = (ids, depth) => { if (depth > 5) return; for (const [k, e] of [...merge(ids)].sort((a, b) => b[1].t - a[1].t)) { if (e.t < 5) continue; console.log(`${"  ".repeat(depth)}${e.t.toFixed(0).padStart(6)} ${k}`); print(e.ids.flatMap((id) => byId.get(id).children ?? []), depth + 1); } };
    console.log(`--- tree under ${name}`);
    print(profile.nodes.filter((n) => n.callFrame.functionName === name && !(function up(x) { for (let p = parent.get(x); p !== undefined; p = parent.get(p)) if (byId.get(p).callFrame.functionName === name) return true; return false; })(n.id)).map((n) => n.id), 0);
  }
} finally { await h.close(); }
// --tree NAME: the call tree under each frame of function NAME (merged by name), 4 levels, ≥ 5 ms.
