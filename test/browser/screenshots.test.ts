import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageErrors, send, sendSnapshot, startHarness, type Harness } from "./harness";
import { fixture, fixtureSteps } from "./fixtures";
import { mlpOfSize } from "./syntheticGraphs";

/** Screenshots for people to look at (/tmp/gradscope-shots); the assertions only check the page rendered cleanly. */
const OUT = "/tmp/gradscope-shots";
let h: Harness;
beforeAll(async () => { mkdirSync(OUT, { recursive: true }); h = await startHarness(); });
afterAll(async () => { await h?.close(); });

describe.each(["dark", "light", "high-contrast"] as const)("screenshots in the %s theme", (theme) => {
  it("seed example, hovering a", async () => {
    const page = await h.open({ theme, width: 1100, height: 650 });
    await send(page, { type: "session/state", state: "finished", step: 1, file: "chain-rule.ts" });
    await sendSnapshot(page, fixture("chain-rule"));
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array([49]) });
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    await page.screenshot({ path: `${OUT}/seed-${theme}-idle.png` });
    const p = await page.evaluate(() => {
      const cy = (window as any).gradscope.cy, r = cy.$("#n0").renderedPosition(), b = document.getElementById("graph")!.getBoundingClientRect();
      return { x: b.left + r.x, y: b.top + r.y };
    });
    await page.mouse.move(p.x, p.y);
    await page.waitForSelector("#tooltip:not([hidden])");
    await page.screenshot({ path: `${OUT}/seed-${theme}.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("moons MLP (65k nodes), collapsed into groups, with a loss curve", async () => {
    const page = await h.open({ theme, width: 1300, height: 800 });
    const steps = fixtureSteps("moons-mlp");
    await send(page, { type: "session/state", state: "paused", step: steps.length, file: "moons-mlp.ts" });
    await sendSnapshot(page, steps[steps.length - 1]);
    await page.evaluate((ls) => (window as any).harness.send({ type: "loss/set", from: 1, losses: new Float64Array(ls) }),
      Array.from({ length: 40 }, (_, i) => 1.5 * Math.exp(-i / 9) + 0.05 + 0.03 * Math.sin(i)));
    await send(page, { type: "history/available", steps: [35, 36, 37, 38, 39, 40] });
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/moons-${theme}.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("screenshots of interactions (dark)", () => {
  it("a 1.6k-node graph shown whole, in compact records", async () => {
    const page = await h.open({ theme: "dark", width: 1300, height: 800 });
    await sendSnapshot(page, mlpOfSize(1500));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 1000);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/mlp1600-dark.png` });
    await page.evaluate(() => { const cy = (window as any).gradscope.cy; cy.zoom(1); cy.center(cy.nodes(".loss")); });
    await page.waitForFunction(() => !(window as any).gradscope.busy);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/mlp1600-zoomed-dark.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("coffee-shop, a node selected, the error box and the table", async () => {
    const page = await h.open({ theme: "dark", width: 1200, height: 700 });
    await sendSnapshot(page, fixture("coffee-shop"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
    await page.screenshot({ path: `${OUT}/coffee-dark.png` });
    await page.focus("#graph");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("t");
    await send(page, { type: "session/state", state: "error", step: 2, error: { kind: "runtime", message: "TypeError: x.mul is not a function", file: "/w/examples/coffee-shop.ts", line: 14, column: 9 } });
    await page.waitForSelector("#error-box:not([hidden])");
    await page.screenshot({ path: `${OUT}/coffee-selected-table-error-dark.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the seed in a narrow panel beside the editor", async () => {
    const page = await h.open({ theme: "dark", width: 560, height: 760 });
    await send(page, { type: "session/state", state: "paused", step: 1 });
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    await page.screenshot({ path: `${OUT}/seed-narrow-dark.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the keyboard help in the light theme", async () => {
    const page = await h.open({ theme: "light", width: 1000, height: 700 });
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    await page.focus("#graph");
    await page.keyboard.press("?");
    await page.screenshot({ path: `${OUT}/help-light.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("moons: a layer-2 neuron opened into its calls, one call opened, then a focus view", async () => {
    const page = await h.open({ theme: "dark", width: 1300, height: 800 });
    await sendSnapshot(page, fixture("moons-mlp"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    // Returns nothing: handing a cytoscape collection back to Node would serialise the whole graph.
    const tap = (key: string) => page.evaluate((k) => { (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === k).emit("tap"); }, key);
    await tap("MLP/layer2/neuron1");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".group").length > 100);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/moons-neuron-open-dark.png` });
    await tap("MLP/layer2/neuron1/@call7");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".value").length > 30);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/moons-call-open-dark.png` });
    await page.keyboard.press("/");
    await page.keyboard.type("layer2.neuron1.w0");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("scopebar")!.textContent!.includes("Focus"));
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/moons-focus-dark.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

/** A 1440×900 window with the panel beside the editor: the panel is ~520–700 px wide. */
describe("screenshots of the panel beside an editor", () => {
  for (const [w, hh] of [[700, 900], [520, 860]] as const) {
    it(`seed, coffee-shop and moons at ${w}×${hh}`, async () => {
      const page = await h.open({ theme: "dark", width: w, height: hh });
      await send(page, { type: "session/state", state: "finished", step: 1, file: "chain-rule.ts" });
      await sendSnapshot(page, fixture("chain-rule"));
      await send(page, { type: "loss/set", from: 1, losses: new Float64Array([49]) });
      await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
      await page.screenshot({ path: `${OUT}/beside-${w}-seed-finished.png` });
      await send(page, { type: "session/reset", title: "coffee-shop.ts" });
      await send(page, { type: "session/state", state: "paused", step: 5, file: "coffee-shop.ts" });
      await send(page, { type: "model/warning", message: "Gradients were not zeroed before this backward(): they add up across steps", file: "/w/coffee-shop.ts", line: 16 });
      await sendSnapshot(page, fixtureSteps("coffee-shop")[4]);
      await send(page, { type: "loss/set", from: 1, losses: new Float64Array([12000, 9000, 7000, 5600, 4600]) });
      await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
      await page.screenshot({ path: `${OUT}/beside-${w}-coffee.png` });
      await send(page, { type: "session/reset", title: "moons-mlp.ts" });
      await send(page, { type: "session/state", state: "running", step: 2, file: "moons-mlp.ts" });
      await sendSnapshot(page, fixture("moons-mlp"));
      await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${OUT}/beside-${w}-moons.png` });
      expect(pageErrors(page)).toEqual([]);
      await page.close();
    });
  }
});
