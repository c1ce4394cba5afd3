import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { requestExport, send, sendSnapshot, startHarness, tableRows, type Harness } from "./harness";
import { fixture, fixtureSteps } from "./fixtures";
import { mlpOfSize, nextStep } from "./syntheticGraphs";
import { formatNumber } from "../../src/graph/format";

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const positions = (page: Page) => page.evaluate(() => {
  const out: Record<string, { x: number; y: number }> = {};
  (window as any).gradscope.cy.nodes().forEach((n: any) => { out[n.id()] = { ...n.position() }; });
  return out;
});
const viewport = (page: Page) => page.evaluate(() => { const cy = (window as any).gradscope.cy; return { zoom: cy.zoom(), pan: { ...cy.pan() } }; });

describe("numbers-only updates", () => {
  it("step/update rewrites values and colours but never moves a node", async () => {
    const page = await h.open();
    const s1 = mlpOfSize(1500);
    await sendSnapshot(page, s1);
    // A drawing this big is added in slices: wait until every record is in.
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0 && !(window as any).gradscope.busy);
    const before = await positions(page);
    const rowsBefore = await tableRows(page);
    const fillsBefore = await page.evaluate(() => { const cy = (window as any).gradscope.cy; return cy.nodes(".value").map((n: any) => cy.scratch("gradscope").fillOf(n.id())); });
    const s2 = nextStep(s1);
    await sendSnapshot(page, s2, "step/update");
    await page.waitForFunction(() => document.getElementById("step-counter")!.textContent === "step 2" && !(window as any).gradscope.busy);
    expect(await positions(page)).toEqual(before);
    const rowsAfter = await tableRows(page);
    expect(rowsAfter.length).toBe(rowsBefore.length);
    expect(rowsAfter.map((r) => r.data)).not.toEqual(rowsBefore.map((r) => r.data));
    const fillsAfter = await page.evaluate(() => { const cy = (window as any).gradscope.cy; return cy.nodes(".value").map((n: any) => cy.scratch("gradscope").fillOf(n.id())); });
    expect(fillsAfter).not.toEqual(fillsBefore);
    await page.close();
  });

  it("zoomed out, a step repaints colours at once and writes the labels when the user zooms in to read them", async () => {
    const page = await h.open();
    const s1 = mlpOfSize(1500);
    await sendSnapshot(page, s1);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    expect(await page.evaluate(() => (window as any).gradscope.cy.zoom())).toBeLessThan(0.55);
    const s2 = nextStep(s1);
    await sendSnapshot(page, s2, "step/update");
    await page.waitForFunction(() => document.getElementById("step-counter")!.textContent === "step 2" && !(window as any).gradscope.busy);
    // A parameter the step changed: while unreadable its record is not rewritten (a big drawing this far out has no text
    // at all; off screen, cytoscape does not even hold its record yet).
    const before = `data ${formatNumber(s1.values.data[0])}`, after = `data ${formatNumber(s2.values.data[0])}`;
    expect(before).not.toBe(after);
    expect(await page.evaluate(() => { const n = (window as any).gradscope.cy.$("#n0"); return n.empty() ? "" : n.data("label"); })).not.toContain(after);
    // Zoom in on it where the drawing put it (its record joins cytoscape when the viewport reaches it).
    await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      const p = cy.scratch("gradscope").positionOf("n0");
      cy.zoom(1.2);
      cy.pan({ x: cy.width() / 2 - p.x * 1.2, y: cy.height() / 2 - p.y * 1.2 });
    });
    await page.waitForFunction((text) => (window as any).gradscope.cy.$("#n0").nonempty() && (window as any).gradscope.cy.$("#n0").data("label").includes(text), after);
    await page.close();
  });

  it("a graph/set with the same hash (recorded consecutive steps) keeps the layout and the viewport", async () => {
    const page = await h.open();
    const [step1, step2] = fixtureSteps("coffee-shop");
    expect(step1.topology.hash).toBe(step2.topology.hash);
    await sendSnapshot(page, step1);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, 200);
    await page.waitForTimeout(100);
    const before = await positions(page);
    const vp = await viewport(page);
    await sendSnapshot(page, step2);
    await page.waitForFunction((s) => document.getElementById("step-counter")!.textContent === `step ${s}`, step2.step);
    expect(await positions(page)).toEqual(before);
    expect(await viewport(page)).toEqual(vp);
    await page.close();
  });

  it("a new topology relayouts but keeps the viewport the user zoomed", async () => {
    const page = await h.open();
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(100);
    const vp = await viewport(page);
    await sendSnapshot(page, fixture("coffee-shop"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
    expect(await viewport(page)).toEqual(vp);
    await page.close();
  });

  it("the loss chart grows with loss/set and loss/append, and exports as CSV", async () => {
    const page = await h.open();
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array([3, 2]) });
    await send(page, { type: "loss/append", from: 3, losses: new Float64Array([1.5]) });
    await send(page, { type: "loss/append", from: 4, losses: new Float64Array([1.25, 1]) });
    await page.waitForFunction(() => document.getElementById("loss-readout")!.textContent === "step 5: 1");
    const saved = await requestExport(page, "csv");
    expect(saved.data).toBe("step,loss\n1,3\n2,2\n3,1.5\n4,1.25\n5,1\n");
    await page.close();
  });

  it("a merged history (stride) puts each point at the steps it covers", async () => {
    const page = await h.open();
    await send(page, { type: "loss/set", from: 1, stride: 4, losses: new Float64Array([8, 4, 2]) });
    const saved = await requestExport(page, "csv");
    expect(saved.data).toBe("step,loss\n1,8\n5,4\n9,2\n");
    await page.close();
  });

  it("a long run's curve stays bounded: past 100,000 points neighbours merge", async () => {
    const page = await h.open();
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array(90_000).fill(2) });
    await send(page, { type: "loss/append", from: 90_001, losses: new Float64Array(30_000).fill(1) });
    await page.waitForFunction(() => /^step \d+: 1$/.test(document.getElementById("loss-readout")!.textContent ?? ""));
    const saved = await requestExport(page, "csv");
    const lines = saved.data.trim().split("\n");
    expect(lines.length - 1).toBe(60_000);
    expect(lines[1]).toBe("1,2");
    expect(lines.at(-1)).toBe("119999,1");
    await page.close();
  });

  it("clicking a step that is in the history asks the host to show it", async () => {
    const page = await h.open();
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array([5, 4, 3, 2, 1]) });
    await send(page, { type: "history/available", steps: [3, 4, 5] });
    const box = (await page.locator("#loss-chart .u-over").boundingBox())!;
    // Steps 1..5 span the plot's width; step 3 is in the middle.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "history/show"));
    expect((await page.evaluate(() => (window as any).harness.posted)).filter((m: any) => m.type === "history/show")).toEqual([{ type: "history/show", step: 3 }]);
    await page.close();
  });
});
