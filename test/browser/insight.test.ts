import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { answerInsight } from "../../src/analysis/insight";
import { nodeName } from "../../src/graph/nodeName";
import type { Snapshot } from "../../src/protocol/graph";
import type { Finding } from "../../src/protocol/health";
import { NodeKind, OP } from "../../src/protocol/ops";
import { pageErrors, posted, send, sendSnapshot, startHarness, type Harness } from "./harness";
import { mlpSnapshot, TapeBuilder } from "./syntheticGraphs";

/**
 * The Insight section (issue 10) in the real panel: the Health view and its
 * badges, and the gradcheck / what-if / explain tabs answered with the
 * host's own replay code (src/extension/insightReplay.ts) on the same snapshot.
 */
const OUT = "/tmp/gradscope-shots";
let h: Harness;
beforeAll(async () => { mkdirSync(OUT, { recursive: true }); h = await startHarness(); });
afterAll(async () => { await h?.close(); });

/** A nan-hunt-like step: an MLP whose loss takes log of a value that hit 0 (→ −∞), grouped like the engine's modules. */
function nanHunt(): { s: Snapshot; findings: Finding[] } {
  const s = mlpSnapshot({ sizes: [2, 4, 4, 1], batch: 3, seed: 7, step: 37 });
  const t = s.topology;
  const file = "/work/examples/nan-hunt.ts";
  const firstTanh = t.op.findIndex((o) => o === OP.tanh);
  const param = t.kind.findIndex((k) => k === NodeKind.param);
  const root = t.op.length - 1;
  return {
    s,
    findings: [
      { kind: "nan-origin", step: 37, node: firstTanh, label: nodeName(t, firstTanh), op: "log", detail: "log of 0 → −Infinity, first in step 37", location: { file, line: 14, column: 17 } },
      { kind: "dead-relu", step: 30, node: param, label: nodeName(t, param), op: "relu", detail: "input ≤ 0 for every sample over the last 10 steps", location: { file, line: 9, column: 12 } },
      { kind: "exploding", step: 36, node: root, label: "MLP/layer1", op: "", detail: "grad RMS 4.1e+3, 3.6 decades above the layer nearest the loss", location: { file, line: 11, column: 3 } },
    ],
  };
}

async function clickTableRow(page: Page, label: string): Promise<void> {
  await page.evaluate((l) => {
    const row = [...document.querySelectorAll<HTMLElement>("#node-table tbody tr")].find((tr) => tr.querySelector("td")?.textContent === l);
    row!.querySelector("td")!.click();
  }, label);
}

/** Waits for the panel's next insight request of this kind (after `after` of them) and answers it as the runner would. */
async function answer(page: Page, s: Snapshot, kind: string, after = 0): Promise<any> {
  const req = await page.waitForFunction(([k, n]) => (window as any).harness.posted.filter((m: any) => m.type === "insight/request" && m.request.kind === k)[n as number]?.request, [kind, after] as const).then((hd) => hd.jsonValue());
  const response = answerInsight(req, { step: s.step, loss: s.loss, topology: s.topology, data: s.values.data, grad: s.values.grad, updates: s.updates }, { source: "history" });
  await send(page, { type: "insight/response", response });
  return req;
}

describe("Health view", () => {
  it("lists each finding with its kind, label, detail and step; badges the graph's groups and the table; reveals on click and Enter", async () => {
    const page = await h.open({ width: 1100, height: 760 });
    const { s, findings } = nanHunt();
    await send(page, { type: "config/set", collapseThreshold: 20 });
    await sendSnapshot(page, s);
    await send(page, { type: "session/state", state: "paused", step: 37, file: "nan-hunt.ts" });
    await send(page, { type: "insight/findings", findings });
    await page.waitForFunction(() => document.querySelectorAll(".findings .finding-line").length === 3);
    expect(await page.textContent("#insight-tab-health")).toBe("Health (3)");
    const lines = await page.$$eval(".findings .finding-line", (bs) => bs.map((b) => ({ badge: b.querySelector(".kind-badge")!.textContent, label: b.querySelector(".label")!.textContent, step: b.querySelector(".step")!.textContent, where: b.querySelector(".where")?.textContent, aria: b.getAttribute("aria-label") })));
    expect(lines[0]).toMatchObject({ badge: "NaN/Inf", step: "step 37", where: "nan-hunt.ts:14" });
    expect(lines[0].aria).toContain("log of 0 → −Infinity");
    expect(lines.map((l) => l.badge)).toEqual(["NaN/Inf", "dead ReLU", "exploding"]);

    // The graph is collapsed to its groups: the MLP group carries the aggregated count of its findings.
    await page.waitForFunction(() => document.querySelectorAll(".finding-badges .finding-pill").length > 0);
    const pills = await page.$$eval(".finding-pill", (ps) => ps.map((p) => ({ text: p.textContent, el: (p as HTMLElement).dataset.element, severity: (p as HTMLElement).dataset.severity })));
    const mlp = pills.find((p) => p.text === "⚠ 2");
    expect(mlp, JSON.stringify(pills)).toBeTruthy();
    expect(mlp!.severity).toBe("error");
    // …and so does its row in the node table.
    const groupRow = await page.$eval("#node-table tbody tr[data-findings='2']", (tr) => ({ badge: tr.querySelector("td")!.getAttribute("data-badge"), desc: tr.querySelector("td")!.getAttribute("aria-description") }));
    expect(groupRow.badge).toBe("⚠ 2");
    expect(groupRow.desc).toMatch(/2 findings: NaN\/Inf, dead ReLU/);
    // A numbers-only step keeps the badges (the table's are written when findings or rows change, not every step).
    await sendSnapshot(page, { ...s, step: 38, loss: s.loss / 2, values: { data: s.values.data.map((x) => x / 2), grad: s.values.grad } }, "step/update");
    await page.waitForFunction(() => document.getElementById("step-counter")!.textContent === "step 38" && !(window as any).gradscope.busy);
    expect(await page.$eval("#node-table tbody tr[data-findings='2']", (tr) => tr.querySelector("td")!.getAttribute("data-badge"))).toBe("⚠ 2");
    expect(await page.$$eval(".finding-pill", (ps) => ps.map((p) => p.textContent))).toContain("⚠ 2");
    await page.screenshot({ path: `${OUT}/insight-health.png` });

    // Click: the node is selected in the graph (a focus view opens around it) and its line revealed in the editor.
    const before = (await posted(page)).length;
    await page.click(".findings li:nth-child(1) .finding-line");
    await page.waitForFunction((k) => (window as any).harness.posted.slice(k).some((m: any) => m.type === "node/reveal"), before);
    const reveal = (await posted(page)).slice(before).find((m) => m.type === "node/reveal");
    expect(reveal.node).toBe(findings[0].node);
    expect(await page.evaluate(() => (window as any).gradscope.cy.nodes(":selected").map((n: any) => n.id()))).toContain(`n${findings[0].node}`);

    // Keyboard: ↓ moves to the next finding, Enter reveals it.
    await page.focus(".findings li:nth-child(1) .finding-line");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.index)).toBe("1");
    const k = (await posted(page)).length;
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => (window as any).harness.posted.slice(n).some((m: any) => m.type === "node/reveal"), k);
    expect((await posted(page)).slice(k).find((m) => m.type === "node/reveal").node).toBe(findings[1].node);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("shows a breakpoint banner and selects its node; a new run clears findings, banner and badges", async () => {
    const page = await h.open();
    const { s, findings } = nanHunt();
    await sendSnapshot(page, s);
    await send(page, { type: "insight/findings", findings });
    await send(page, { type: "insight/break", hit: { kind: "nan", step: 37, node: findings[0].node, message: "log of 0 → −Infinity", location: findings[0].location } });
    await page.waitForSelector(".break-banner:not([hidden])");
    expect(await page.textContent(".break-banner")).toContain("log of 0 → −Infinity");
    await page.waitForFunction((n) => (window as any).gradscope.cy.nodes(":selected").some((e: any) => e.id() === `n${n}`), findings[0].node);
    await send(page, { type: "session/reset", file: "nan-hunt.ts" });
    await page.waitForFunction(() => document.querySelectorAll(".finding-line").length === 0);
    expect(await page.isHidden(".break-banner")).toBe(true);
    expect(await page.textContent("#insight-tab-health")).toBe("Health");
    expect(await page.$$eval(".finding-pill", (p) => p.length)).toBe(0);
    await page.close();
  });

  it("breakpoint toggles show what pauses the run and tell the host when they change", async () => {
    const page = await h.open();
    await send(page, { type: "insight/breakOn", breakOn: { nan: true, gradAbove: 200, findings: [] } });
    // The Insight section starts collapsed to one row; its toggle opens it.
    expect(await page.getAttribute(".insight-toggle", "aria-expanded")).toBe("false");
    expect(await page.isHidden("#insight-pane-health")).toBe(true);
    await page.click(".insight-toggle");
    expect(await page.getAttribute(".insight-toggle", "aria-expanded")).toBe("true");
    await page.waitForFunction(() => (document.getElementById("break-grad-above") as HTMLInputElement).checked);
    expect(await page.isChecked("#break-nan")).toBe(true);
    expect(await page.isChecked("#break-loss-up")).toBe(false);
    expect(await page.inputValue(".break-on input[aria-label='Gradient magnitude limit']")).toBe("200");
    const last = async () => (await posted(page)).filter((m) => m.type === "insight/breakOn").at(-1)?.breakOn;
    await page.check("#break-loss-up");
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "insight/breakOn"));
    expect(await last()).toEqual({ nan: true, findings: [], lossUpPct: 50, gradAbove: 200 });
    await page.uncheck("#break-nan");
    await page.uncheck("#break-grad-above");
    expect(await last()).toEqual({ nan: false, findings: [], lossUpPct: 50 });
    await page.close();
  });

  it("drops an invalid insight message and logs it", async () => {
    const page = await h.open();
    await send(page, { type: "insight/findings", findings: [{ kind: "nope", step: 0 }] });
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "view/log" && /invalid insight message/.test(m.message)));
    expect(await page.$$eval(".finding-line", (b) => b.length)).toBe(0);
    await page.close();
  });

  it("tab list: ←/→ move between tabs, one tab stop, aria-selected follows", async () => {
    const page = await h.open();
    await page.focus("#insight-tab-health");
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("insight-tab-gradcheck");
    expect(await page.getAttribute("#insight-tab-gradcheck", "aria-selected")).toBe("true");
    expect(await page.isHidden("#insight-pane-health")).toBe(true);
    expect(await page.$$eval("[role=tab][tabindex='0']", (t) => t.length)).toBe(1);
    await page.close();
  });
});

describe("gradcheck, what-if and explain", () => {
  /** x, w, b, v leaves; loss = (relu(w·x + b) + relu(−2v) − 1)²: the second branch is a dead ReLU. */
  function small(): Snapshot {
    const t = new TapeBuilder();
    const x = t.leaf(1.5, "x", NodeKind.input);
    const w = t.leaf(0.8, "w", NodeKind.param);
    const b = t.leaf(-0.5, "b", NodeKind.param);
    const dead = t.leaf(0.3, "v", NodeKind.param);
    const z = t.apply(OP.add, t.apply(OP.mul, w, x, "wx"), b, "z");
    const a = t.apply(OP.relu, z, undefined, "a");
    const off = t.apply(OP.relu, t.apply(OP.mul, dead, { k: -2 }, "nv"), undefined, "off"); // relu of −0.6: dead
    const y = t.apply(OP.add, a, off, "y");
    t.pow(t.apply(OP.sub, y, { k: 1 }, "err"), 2, "loss");
    return t.snapshot("insight-small", 4);
  }

  it("Check all parameters fills a table sorted by relative error with ok / flagged badges", async () => {
    const page = await h.open({ width: 1100, height: 760 });
    const s = small();
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 5);
    await page.click("#insight-tab-gradcheck");
    await page.click("#insight-check-all");
    const req = await answer(page, s, "gradcheck");
    expect(req).toMatchObject({ kind: "gradcheck", step: 4, hash: "insight-small" });
    expect(req.node).toBeUndefined();
    await page.waitForSelector(".gradcheck-table");
    const rows = await page.$$eval(".gradcheck-table tbody tr", (trs) => trs.map((tr) => ({ node: tr.querySelector(".node-link")!.textContent, badge: tr.querySelector(".check-badge")!.textContent, err: Number(tr.children[3].textContent) })));
    expect(rows.length).toBe(3); // the parameters w, b, v (x is an input)
    expect(rows.every((r) => r.badge === "ok")).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].err).toBeGreaterThanOrEqual(rows[i].err);
    expect(await page.textContent(".insight-summary")).toMatch(/3 checked, all ok/);

    // A flagged row (as a wrong derivative rule produces, see test/unit/insightReplay.test.ts) shows its badge first.
    const wrong = { node: 1, label: "w", analytic: 3.1, numeric: 2.2, relError: 0.29, recorded: 3.1, flagged: true };
    await page.click("#insight-check-all");
    const req2 = await page.waitForFunction(() => (window as any).harness.posted.filter((m: any) => m.type === "insight/request")[1]?.request).then((x) => x.jsonValue());
    await send(page, { type: "insight/response", response: { kind: "gradcheck", id: req2.id, step: 4, source: "history", rows: [wrong], loss: s.loss, tol: 1e-4 } });
    await page.waitForSelector(".check-badge[data-flagged='true']");
    expect(await page.textContent(".insight-summary")).toMatch(/1 flagged/);
    await page.screenshot({ path: `${OUT}/insight-gradcheck.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("what-if: setting a leaf replays the graph; predicted ΔL next to actual; moved nodes get a halo; Reset clears it", async () => {
    const page = await h.open({ width: 1100, height: 760 });
    const s = small();
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 5);
    await clickTableRow(page, "w");
    await page.click("#insight-tab-whatif");
    await page.fill("#insight-whatif-value", "0.81");
    await page.keyboard.press("Enter");
    const req = await answer(page, s, "what-if");
    expect(req).toMatchObject({ kind: "what-if", node: 1, value: 0.81 });
    await page.waitForSelector(".whatif-lines");
    const text = await page.textContent(".whatif-lines");
    // grad of w = 2(wx + b − 1)·x = −0.9; Δx = 0.01.
    expect(text).toContain("predicted ΔL ≈ grad · Δx = −0.9 × 0.01 = −0.009");
    expect(text).toContain("they agree");
    await page.waitForFunction(() => document.querySelectorAll(".moved-halo").length >= 4);
    const haloed = await page.$$eval(".moved-halo", (hs) => hs.map((x) => (x as HTMLElement).dataset.element));
    // wx, z, a, y, err, loss moved; the dead branch did not.
    expect(haloed).not.toContain("n7");
    await page.screenshot({ path: `${OUT}/insight-whatif.png` });
    await page.click("#insight-pane-whatif button:has-text('Reset')");
    await page.waitForFunction(() => document.querySelectorAll(".moved-halo").length === 0);
    await page.close();
  });

  it("explain: paths to the loss with their products summing to the gradient; a zero gradient says why", async () => {
    const page = await h.open({ width: 1100, height: 760 });
    const s = small();
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 5);
    await clickTableRow(page, "x");
    await page.click("#insight-tab-explain");
    await page.click("#insight-explain");
    await answer(page, s, "explain");
    await page.waitForSelector(".paths li");
    expect(await page.textContent(".paths li")).toMatch(/x → wx → z → a → y → err → loss/);
    expect(await page.textContent(".path-sum")).toMatch(/Σ of the 1 path = .* = the gradient/);

    await clickTableRow(page, "v");
    await page.click("#insight-explain");
    await answer(page, s, "explain", 1);
    await page.waitForSelector(".why-zero");
    expect(await page.getAttribute(".why-zero", "data-reason")).toBe("relu-off");
    expect(await page.textContent(".why-zero")).toContain("off");
    await page.screenshot({ path: `${OUT}/insight-explain.png` });
    await page.close();
  });
});

describe("layer dashboard", () => {
  it("shows each layer's histograms, saturated share and log10(update/data), charts it over steps, and opens a layer on click", async () => {
    const page = await h.open({ width: 1100, height: 800 });
    const s = mlpSnapshot({ sizes: [2, 6, 6, 1], batch: 4, seed: 3, step: 2 });
    // The update that led to this step, for every parameter: log10(update/data) has something to show.
    s.updates = [...s.topology.kind.keys()].filter((i) => s.topology.kind[i] === NodeKind.param).map((i) => ({ node: i, label: nodeName(s.topology, i), rule: "sgd" as const, before: s.values.data[i] + 0.001, lr: 0.01, grad: 0.1, after: s.values.data[i] }));
    await send(page, { type: "config/set", collapseThreshold: 20 });
    await sendSnapshot(page, s);
    await page.click("#insight-tab-layers");
    const req = await answer(page, s, "layer-stats");
    expect(req).toMatchObject({ kind: "layer-stats", step: 2, historySteps: 50 });
    await page.waitForSelector(".layers tbody tr");
    const rows = await page.$$eval(".layers tbody tr", (trs) => trs.map((tr) => ({ layer: (tr as HTMLElement).dataset.layer, bars: tr.querySelectorAll(".histogram .bar").length, cells: [...tr.children].map((td) => td.textContent) })));
    expect(rows.map((r) => r.layer).slice(0, 3)).toEqual(["MLP/layer1", "MLP/layer2", "MLP/layer3"]);
    expect(rows[0].bars).toBe(32); // activations + gradients, 16 bins each
    expect(rows[0].cells[3]).toMatch(/% saturated/);
    expect(Number(rows[0].cells[5])).toBeLessThan(0);
    await page.waitForSelector(".layer-chart .uplot");
    // A new step extends the chart: the tab asks again by itself.
    const next = { ...s, step: 3 };
    await sendSnapshot(page, next, "step/update");
    await answer(page, next, "layer-stats", 1);
    await page.waitForFunction(() => document.querySelector(".insight-summary")?.textContent?.startsWith("Step 3"));
    await page.screenshot({ path: `${OUT}/insight-layers.png` });
    await page.click(".layers tbody tr:nth-child(2) .node-link");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes().some((n: any) => /layer2/.test(n.data("label") ?? "")));
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("chain rule from the rules table", () => {
  it("shows powv (x^y with a Value exponent) with its real local derivatives", async () => {
    const page = await h.open();
    const t = new TapeBuilder();
    const x = t.leaf(2, "x");
    const y = t.leaf(3, "y");
    // TapeBuilder has no powv: build it by hand, then fix its data and grads.
    const p = t.apply(OP.mul, x, y, "p");
    const s = t.snapshot("powv");
    s.topology.op[p] = OP.powv;
    s.values.data[p] = 8;
    s.values.grad.set([12, 8 * Math.log(2), 1]);
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 3);
    await clickTableRow(page, "y");
    await page.waitForFunction(() => document.querySelector("#details .title b")?.textContent === "y");
    // ∂(x^y)/∂y = x^y · ln x = 8 ln 2 ≈ 5.545
    expect(await page.textContent("#details")).toContain("∂p/∂y = 1 × 5.545 = 5.545");
    await page.close();
  });
});
