import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nodeScreenPosition, posted, send, sendSnapshot, startHarness, tableRows, type Harness } from "./harness";
import { fixture } from "./fixtures";

/** The moons MLP as recorded from the example: 65,412 nodes in one step. */
let h: Harness;
let page: Page;
const moons = fixture("moons-mlp");
const caption = () => page.textContent("#node-table-caption");

beforeAll(async () => {
  h = await startHarness();
  page = await h.open({ width: 1300, height: 800 });
  await sendSnapshot(page, moons);
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
});
afterAll(async () => { await h?.close(); });

describe("a 65k-node graph", () => {
  it("opens collapsed into groups: few elements, every node accounted for", async () => {
    const rows = await tableRows(page);
    const counts = await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      return { elements: cy.elements().length, groups: cy.nodes(".group").map((n: any) => n.data("path")) };
    });
    expect(moons.nodes).toBeGreaterThan(60000);
    expect(counts.elements).toBeLessThan(500);
    expect(counts.groups).toContain("MLP/layer1/neuron1");
    expect(counts.groups).toContain("MLP/layer3/neuron1");
    // Group rows carry their member counts: together with the single nodes they cover the whole graph.
    const covered = rows.reduce((s, r) => s + (r.node >= 0 ? 1 : Number(/\((\d+) nodes/.exec(r.label)![1])), 0);
    expect(covered).toBe(moons.nodes);
    expect(rows.some((r) => r.label === "loss")).toBe(true);
    expect(await caption()).toContain(`of ${moons.nodes}`);
  });

  it("expands a group on click, and shows its members", async () => {
    const before = (await tableRows(page)).length;
    const id = await page.evaluate(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer1/neuron1").id());
    const p = await nodeScreenPosition(page, id);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length > n, before);
    const rows = await tableRows(page);
    expect(rows.length).toBe(before - 1 + 503);
    expect(rows.some((r) => r.label === "layer1.neuron1.w0")).toBe(true);
    expect(await page.evaluate(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer1/neuron1").length)).toBe(0);
  });

  it("collapses the selected node's group again with C", async () => {
    const before = (await tableRows(page)).length;
    await page.evaluate(() => document.querySelector<HTMLElement>('#node-table tr[data-node] td.label')!.click());
    await page.focus("#graph");
    await page.keyboard.press("c");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length < n, before);
    expect((await tableRows(page)).length).toBe(before - 503 + 1);
  });

  it("finds a node by label with the search box and opens a focus view around it", async () => {
    await page.keyboard.press("/");
    await page.keyboard.type("layer2.neuron7.w3");
    await page.waitForSelector("#search-results li[data-node]");
    const first = await page.textContent("#search-results li[data-node] .label");
    expect(first).toBe("layer2.neuron7.w3");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => !document.getElementById("banner")!.hidden && document.getElementById("banner")!.textContent!.includes("Focus"));
    expect(await page.textContent("#details .title")).toContain("layer2.neuron7.w3");
    expect(await caption()).toContain("focus on layer2.neuron7.w3");
    // The weight is used once per data point: its 100 products are its 1-hop consumers.
    const rows = await tableRows(page);
    expect(rows.filter((r) => r.op === "mul ×").length).toBeGreaterThanOrEqual(100);
    const chain = await page.textContent("#details [data-testid=chain-rule]");
    expect(chain).toMatch(/^∂loss\/∂layer2\.neuron7\.w3 = .* \+ … \(\d+ more\) = /);
  });

  it("widens the focus with + (never past the node budget) and leaves it with Esc", async () => {
    const n1 = (await tableRows(page)).length;
    await page.keyboard.press("+");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length > n, n1);
    for (let k = 0; k < 6; k++) await page.keyboard.press("+");
    await page.waitForFunction(() => document.getElementById("banner")!.textContent!.includes("9 hops"));
    expect((await tableRows(page)).length).toBeLessThanOrEqual(2500);
    expect(await page.textContent("#banner")).toContain("nearest nodes");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.getElementById("node-table-caption")!.textContent!.includes("grouped"));
  });

  it("regroups when the host lowers the collapse threshold", async () => {
    const before = (await tableRows(page)).length;
    await send(page, { type: "config/set", collapseThreshold: 10 });
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length < n, before);
    expect((await tableRows(page)).length).toBeLessThanOrEqual(10);
    await send(page, { type: "config/set", collapseThreshold: 2000 });
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length === n, before);
  });

  it("refuses to expand a group into more nodes than the panel can hold, and says why", async () => {
    await send(page, { type: "config/set", collapseThreshold: 500 });
    const id = await page.evaluate(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer2/neuron1").id());
    const p = await nodeScreenPosition(page, id);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.getElementById("banner")!.textContent!.includes("would show"));
    expect((await posted(page)).some((m) => m.type === "view/log" && m.message.includes("would show"))).toBe(true);
    await send(page, { type: "config/set", collapseThreshold: 2000 });
  });
});
