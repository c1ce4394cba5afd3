// Scratch experiment: cytoscape costs at 5k nodes with different styles.
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
const root = "/work/wt/paint";
const b = await esbuild.build({ stdin: { contents: `import cytoscape from "cytoscape"; window.cytoscape = cytoscape;`, resolveDir: root }, bundle: true, format: "iife", write: false });
const js = b.outputFiles[0].text;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const variants = process.argv.slice(2);
for (const v of variants) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.setContent(`<html><body style="margin:0"><div id=c style="position:absolute;inset:0"></div></body></html>`);
  await page.addScriptTag({ content: js });
  const prof = process.env.PROF === "1";
  const cdp = prof ? await page.context().newCDPSession(page) : null;
  if (cdp) { await cdp.send("Profiler.enable"); await cdp.send("Profiler.setSamplingInterval", { interval: 500 }); await cdp.send("Profiler.start"); }
  const r = await page.evaluate(async (v) => {
    const N = 5000, W = 100;
    const els = [];
    for (let i = 0; i < N; i++) els.push({ group: "nodes", data: { id: "n" + i, w: 140, h: 50, label: "x" + i + "\ndata 0.123\ngrad -0.456", fill: i % 2 ? "#334" : "#433" }, position: { x: (i % W) * 170, y: Math.floor(i / W) * 70 }, classes: "value computed" });
    for (let i = W; i < N; i++) els.push({ group: "edges", data: { id: "e" + i, source: "n" + (i - W + (i % 3 === 0 ? 1 : 0) ), target: "n" + i } });
    const labels = v.includes("label");
    const edge = v.includes("straight") ? "straight" : v.includes("bezier") ? "bezier" : "haystack";
    const style = [
      { selector: "node", style: { shape: v.includes("rect") ? "rectangle" : "round-rectangle", width: "data(w)", height: "data(h)", "background-color": v.includes("nofill") ? "#333" : "data(fill)", "background-opacity": v.includes("transparent") ? 0 : 1, "border-width": 1, "border-color": "#888", ...(labels ? { label: "data(label)", "font-size": 11, "text-wrap": "wrap", "text-valign": "center", "min-zoomed-font-size": 7 } : {}) } },
      { selector: "edge", style: { width: 1.2, "line-color": "#888", "curve-style": edge, "haystack-radius": 0 } },
    ];
    const c = document.getElementById("c");
    const cy = cytoscape({ container: c, style, renderer: { name: "canvas", webgl: v.includes("webgl") }, pixelRatio: 1 });
    const r = cy.renderer(); r.hideEdgesOnViewport = true; r.textureOnViewport = true;
    cy.viewport({ zoom: v.includes("zoomfit") ? 0.07 : 0.3, pan: { x: 0, y: 0 } });
    const frame = () => new Promise((res) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => res(); ch.port2.postMessage(0); }));
    let longest = 0;
    const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); }); obs.observe({ type: "longtask" });
    const t0 = performance.now();
    if (v.includes("chunk")) {
      const nodes = els.filter((e) => e.group === "nodes"), edges = els.filter((e) => e.group === "edges");
      const CH = 500;
      for (let k = 0; k < nodes.length; k += CH) { cy.add(nodes.slice(k, k + CH)); await frame(); }
      for (let k = 0; k < edges.length; k += CH) { cy.add(edges.slice(k, k + CH)); await frame(); }
    } else {
      cy.batch(() => cy.add(els));
    }
    const t1 = performance.now();
    await frame();
    const t2 = performance.now();
    // a numbers-only write: change fill of all nodes
    const t3 = performance.now();
    if (!v.includes("nofill")) cy.batch(() => cy.nodes().forEach((n, i) => n.data("fill", i % 3 ? "#345" : "#543")));
    await frame();
    const t4 = performance.now();
    obs.disconnect();
    return { add: t1 - t0, firstFrame: t2 - t1, total: t2 - t0, fillUpdate: t4 - t3, longest };
  }, v);
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    const byId = new Map(profile.nodes.map((n) => [n.id, n])); const dt = profile.timeDeltas;
    const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const incl = new Map(), self = new Map();
    profile.samples.forEach((id, k) => { const f0 = byId.get(id).callFrame.functionName || "(anon)"; self.set(f0, (self.get(f0) ?? 0) + dt[k]); const seen = new Set(); for (let x = id; x !== undefined; x = parent.get(x)) { const f = byId.get(x).callFrame.functionName; if (f && !seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) ?? 0) + dt[k]); } } });
    console.log("self:", [...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, x]) => `${k} ${(x / 1000).toFixed(0)}`).join(", "));
    console.log("incl:", [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, x]) => `${k} ${(x / 1000).toFixed(0)}`).join(", "));
  }
  console.log(v.padEnd(40), Object.entries(r).map(([k, x]) => `${k} ${x.toFixed(0)}`).join("  "));
  await page.close();
}
await browser.close();
