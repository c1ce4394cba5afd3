import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SnapshotJSON } from "../../src/graph/snapshotJson";
import { pageErrors, sendSnapshot, startHarness, toJSON, type Harness } from "./harness";
import { fixture } from "./fixtures";
import { mlpSnapshot } from "./syntheticGraphs";

/**
 * Issue 7, "a graph a learner can read": on first paint every graph of up to
 * ~40 nodes shows all of itself with node text of at least 11 CSS px, in a
 * 500–700 px wide panel beside the editor; top to bottom in a tall panel, left
 * to right in a wide one; re-fitted on resize until the user zooms.
 */

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

interface Paint {
  zoom: number;
  /** Smallest font-size × zoom over all drawn nodes, CSS px. */
  minText: number;
  /** Nodes whose box (label included) is not entirely inside the graph's area. */
  outside: string[];
  nodes: number;
  /** Centres of the loss and of every leaf record. */
  loss: { x: number; y: number };
  leaves: { x: number; y: number }[];
}

const paint = (page: Page): Promise<Paint> => page.evaluate(() => {
  const cy = (window as any).gradscope.cy;
  const area = document.getElementById("graph")!.getBoundingClientRect();
  const zoom = cy.zoom();
  let minText = Infinity;
  const outside: string[] = [];
  cy.nodes().forEach((n: any) => {
    minText = Math.min(minText, parseFloat(n.style("font-size")) * zoom);
    const b = n.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
    if (b.x1 < -0.5 || b.y1 < -0.5 || b.x2 > area.width + 0.5 || b.y2 > area.height + 0.5) outside.push(n.id());
  });
  const pos = (n: any) => n.renderedPosition();
  return { zoom, minText, outside, nodes: cy.nodes().length, loss: pos(cy.nodes(".loss")), leaves: cy.nodes(".param, .input").map(pos) };
});

async function open(json: SnapshotJSON, width: number, height: number): Promise<Page> {
  const page = await h.open({ width, height });
  await sendSnapshot(page, json);
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
  return page;
}

// A 2-3-1 MLP on one sample: micrograd's first network, 37 nodes.
const smallMlp = () => toJSON(mlpSnapshot({ sizes: [2, 3, 1], batch: 1 }));
const graphs: [string, () => SnapshotJSON][] = [["the seed (5 nodes)", () => fixture("chain-rule")], ["coffee-shop (32 nodes)", () => fixture("coffee-shop")], ["a 2-3-1 MLP (37 nodes)", smallMlp]];
const tall: [number, number][] = [[520, 860], [600, 900], [700, 900]];

describe("first paint: the whole graph, text ≥ 11 px", () => {
  for (const [name, json] of graphs) {
    for (const [w, hh] of tall) {
      it(`${name} in a ${w}×${hh} panel beside the editor: all inside, text ≥ 11 px, top to bottom`, async () => {
        const page = await open(json(), w, hh);
        const p = await paint(page);
        expect(p.minText).toBeGreaterThanOrEqual(11);
        expect(p.outside).toEqual([]);
        // Tall panel: the loss is below every leaf (the graph reads downwards).
        for (const leaf of p.leaves) expect(p.loss.y).toBeGreaterThan(leaf.y);
        expect(pageErrors(page)).toEqual([]);
        await page.close();
      });
    }
  }

  it("a wide panel lays coffee-shop out left to right, still all inside with text ≥ 11 px", async () => {
    const page = await open(fixture("coffee-shop"), 1300, 800);
    const p = await paint(page);
    expect(p.minText).toBeGreaterThanOrEqual(11);
    expect(p.outside).toEqual([]);
    for (const leaf of p.leaves) expect(p.loss.x).toBeGreaterThan(leaf.x);
    // Room for draw_dot's full records: data and grad written out.
    expect(await page.evaluate(() => (window as any).gradscope.cy.nodes(".loss").data("label"))).toMatch(/data 6075\ngrad 1$/);
    await page.close();
  });
});

describe("re-fit on resize", () => {
  it("re-fits (and re-orients) when the panel is resized, until the user zooms; Fit hands it back", async () => {
    const page = await open(fixture("coffee-shop"), 1300, 800);
    const wide = await paint(page);
    for (const leaf of wide.leaves) expect(wide.loss.x).toBeGreaterThan(leaf.x);
    // The editor group is split: the panel becomes tall and narrow.
    await page.setViewportSize({ width: 560, height: 880 });
    await page.waitForFunction((z) => (window as any).gradscope.cy.zoom() !== z, wide.zoom);
    const narrow = await paint(page);
    expect(narrow.outside).toEqual([]);
    expect(narrow.minText).toBeGreaterThanOrEqual(11);
    for (const leaf of narrow.leaves) expect(narrow.loss.y).toBeGreaterThan(leaf.y);
    // The user zooms in: a resize no longer moves their view.
    await page.mouse.move(280, 400);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(100);
    const mine = await page.evaluate(() => { const cy = (window as any).gradscope.cy; return { zoom: cy.zoom(), pan: { ...cy.pan() } }; });
    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => { const cy = (window as any).gradscope.cy; return { zoom: cy.zoom(), pan: { ...cy.pan() } }; })).toEqual(mine);
    // Fit (F) fits again, and resizes re-fit again.
    await page.focus("#graph");
    await page.keyboard.press("f");
    await page.waitForFunction(() => (window as any).gradscope.cy.zoom() >= 1);
    expect((await paint(page)).outside).toEqual([]);
    await page.setViewportSize({ width: 520, height: 860 });
    await page.waitForTimeout(300);
    const again = await paint(page);
    expect(again.outside).toEqual([]);
    expect(again.minText).toBeGreaterThanOrEqual(11);
    await page.close();
  });
});
