import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nodeScreenPosition, pageErrors, posted, requestExport, send, sendSnapshot, startHarness, tableRows, toJSON, type Harness } from "./harness";
import { fixture } from "./fixtures";
import { mlpOfSize, nextStep } from "./syntheticGraphs";
import { formatNumber } from "../../src/graph/format";

/** The moons MLP as recorded from the example: 65,412 nodes in one step, opened one level at a time. */
let h: Harness;
let page: Page;
const moons = fixture("moons-mlp");
const caption = () => page.textContent("#node-table-caption");
const rowCount = () => page.evaluate(() => document.querySelectorAll("#node-table tbody tr").length);
const groupKeys = () => page.evaluate(() => (window as any).gradscope.cy.nodes(".group").map((n: any) => n.data("path") as string));

async function clickGroup(key: string): Promise<void> {
  const id = await page.evaluate((k) => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === k).id(), key);
  expect(id, `group ${key} is drawn`).toBeTruthy();
  const p = await nodeScreenPosition(page, id);
  await page.mouse.click(p.x, p.y);
}

async function hoverGroup(key: string): Promise<string> {
  const id = await page.evaluate((k) => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === k).id(), key);
  const p = await nodeScreenPosition(page, id);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector("#tooltip:not([hidden])");
  return (await page.textContent("#tooltip")) ?? "";
}

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
    const counts = await page.evaluate(() => ({ elements: (window as any).gradscope.cy.elements().length }));
    expect(moons.nodes).toBeGreaterThan(60000);
    expect(counts.elements).toBeLessThan(500);
    expect(await groupKeys()).toContain("MLP/layer1/neuron1");
    expect(await groupKeys()).toContain("MLP/layer3/neuron1");
    // Group rows carry their member counts: together with the single nodes they cover the whole graph.
    const covered = rows.reduce((s, r) => s + (r.node >= 0 ? 1 : Number(/\((\d+) nodes/.exec(r.label)![1])), 0);
    expect(covered).toBe(moons.nodes);
    expect(rows.some((r) => r.label === "loss")).toBe(true);
    expect(await caption()).toContain(`of ${moons.nodes}`);
  });

  it("says on hover exactly what a click on a 3,317-node layer-2 neuron does, and the click does it", async () => {
    const tip = await hoverGroup("MLP/layer2/neuron1");
    expect(tip).toContain("3,317");
    expect(tip).toContain("Click to open it into 101 groups (per call)");
    const before = await rowCount();
    await clickGroup("MLP/layer2/neuron1");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length === n, before - 1 + 101);
    const keys = await groupKeys();
    expect(keys).not.toContain("MLP/layer2/neuron1");
    expect(keys).toContain("MLP/layer2/neuron1/@params1");
    expect(keys).toContain("MLP/layer2/neuron1/@call1");
    expect(keys).toContain("MLP/layer2/neuron1/@call100");
    expect(await page.textContent("#scopebar")).toContain("Opened neuron1: 101 groups per call");
  });

  it("opens one call of the neuron into its 33 nodes, down to a single node, by mouse", async () => {
    expect(await hoverGroup("MLP/layer2/neuron1/@call7")).toContain("Click to open it into its 33 nodes.");
    const before = await rowCount();
    await clickGroup("MLP/layer2/neuron1/@call7");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length === n, before - 1 + 33);
    const rows = (await tableRows(page)).filter((r) => r.node >= 0 && r.grad !== "");
    const inCall = await page.evaluate(() => [...document.querySelectorAll<HTMLTableRowElement>("#node-table tbody tr[data-node]")]
      .filter((tr) => tr.cells[4].textContent === "MLP › layer2 › neuron1 › call 7").map((tr) => Number(tr.dataset.node)));
    expect(inCall).toHaveLength(33);
    expect(rows.filter((r) => inCall.includes(r.node)).map((r) => r.op.split(" ")[0]).sort()).toEqual([...Array(16).fill("add"), ...Array(16).fill("mul"), "relu"].sort());
    // A single node: click it, its details are pinned.
    const relu = rows.find((r) => inCall.includes(r.node) && r.op.startsWith("relu"))!;
    const p = await nodeScreenPosition(page, `n${relu.node}`);
    const box = (await page.locator("#graph").boundingBox())!;
    expect(p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height, "the opened call is in view").toBe(true);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction((n) => document.querySelector("#details")?.getAttribute("hidden") === null && document.querySelector("#details .node-details")?.getAttribute("data-node") === String(n), relu.node);
    expect(await page.textContent("#details")).toContain("MLP › layer2 › neuron1 › call 7");
  });

  it("collapses by mouse: the scope bar's ▾ buttons close the groups around the selection", async () => {
    const crumbs = await page.$$eval("#scopebar .crumbs button", (bs) => bs.map((b) => b.textContent));
    expect(crumbs).toEqual(["▾ MLP", "▾ layer2", "▾ neuron1", "▾ call 7"]);
    const before = await rowCount();
    await page.click("#scopebar .crumbs button:has-text('▾ neuron1')");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length < n, before);
    expect(await groupKeys()).toContain("MLP/layer2/neuron1");
    expect(await rowCount()).toBe(36);
  });

  it("explores to a single node with the keyboard: table rows are focusable, arrows move, Enter opens, ← collapses", async () => {
    await page.keyboard.press("Escape");
    await page.focus("#node-table tbody tr[tabindex='0']");
    // Arrow down to the layer-3 neuron's row (a group row: focusable, and says what Enter does).
    for (let k = 0; k < 60; k++) {
      if (await page.evaluate(() => (document.activeElement as HTMLElement).dataset.group === "MLP/layer3/neuron1")) break;
      await page.keyboard.press("ArrowDown");
    }
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.group)).toBe("MLP/layer3/neuron1");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).title)).toContain("opens into 101 groups");
    await page.keyboard.press("Enter");
    // Focus lands inside what opened: the neuron's parameters, then its first call.
    await page.waitForFunction(() => (document.activeElement as HTMLElement).dataset?.group === "MLP/layer3/neuron1/@params1");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.group)).toBe("MLP/layer3/neuron1/@call1");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => Number((document.activeElement as HTMLElement).dataset?.node) >= 0);
    const node = await page.evaluate(() => Number((document.activeElement as HTMLElement).dataset.node));
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => document.querySelector("#details .node-details")?.getAttribute("data-node") === String(n), node);
    // ← in the table collapses the call again, and focus returns to its row.
    await page.focus(`#node-table tbody tr[data-node="${node}"]`);
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => (document.activeElement as HTMLElement).dataset?.group === "MLP/layer3/neuron1/@call1");
  });

  it("opens a group from the graph with the keyboard: arrows select a group box, Enter opens it", async () => {
    await page.focus("#graph");
    await page.keyboard.press("Escape");
    await page.keyboard.press("ArrowRight");
    const selected = await page.evaluate(() => (window as any).gradscope.cy.nodes(":selected").map((n: any) => n.data("path")));
    expect(selected).toHaveLength(1);
    expect(await page.textContent("#details")).toContain("Click or press Enter to open it");
    const before = await rowCount();
    await page.keyboard.press("Enter");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length > n, before);
    expect(await groupKeys()).not.toContain(selected[0]);
  });

  it("collapses the group around the selected node with C", async () => {
    await page.click("#scopebar button:has-text('Collapse all')");
    await clickGroup("MLP/layer1/neuron1");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer1/neuron1/@params1").length === 1);
    await clickGroup("MLP/layer1/neuron1/@params1");
    await page.waitForFunction(() => [...document.querySelectorAll("#node-table td.label")].some((td) => td.textContent === "layer1.neuron1.w0"));
    const before = await rowCount();
    await page.evaluate(() => [...document.querySelectorAll<HTMLElement>("#node-table td.label")].find((td) => td.textContent === "layer1.neuron1.w0")!.click());
    await page.focus("#graph");
    await page.keyboard.press("c");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length < n, before);
    expect(await rowCount()).toBe(before - 3 + 1);
    expect(await groupKeys()).toContain("MLP/layer1/neuron1/@params1");
  });

  it("finds a node by label with the search box and opens a focus view around it", async () => {
    await page.keyboard.press("/");
    await page.keyboard.type("layer2.neuron7.w3");
    await page.waitForSelector("#search-results li[data-node]");
    const first = await page.textContent("#search-results li[data-node] .label");
    expect(first).toBe("layer2.neuron7.w3");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("scopebar")!.textContent!.includes("Focus"));
    expect(await page.textContent("#details .title")).toContain("layer2.neuron7.w3");
    expect(await caption()).toContain("focus on layer2.neuron7.w3");
    // The weight is used once per data point: its 100 products are its 1-hop consumers.
    const rows = await tableRows(page);
    expect(rows.filter((r) => r.op === "mul ×").length).toBeGreaterThanOrEqual(100);
    const chain = await page.textContent("#details [data-testid=chain-rule]");
    expect(chain).toMatch(/^∂loss\/∂layer2\.neuron7\.w3 = .* \+ … \(\d+ more\) = /);
  });

  it("widens the focus with + (never past the node budget) and leaves it with Esc", async () => {
    const n1 = await rowCount();
    await page.keyboard.press("+");
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length > n, n1);
    for (let k = 0; k < 6; k++) await page.keyboard.press("+");
    await page.waitForFunction(() => document.getElementById("scopebar")!.textContent!.includes("9 hops"));
    expect(await rowCount()).toBeLessThanOrEqual(2500);
    expect(await page.textContent("#scopebar")).toContain("nearest nodes");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.getElementById("node-table-caption")!.textContent!.includes("grouped"));
  });

  it("regroups when the host lowers the collapse threshold", async () => {
    const before = await rowCount();
    await send(page, { type: "config/set", collapseThreshold: 10 });
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length < n, before);
    expect(await rowCount()).toBeLessThanOrEqual(10);
    await send(page, { type: "config/set", collapseThreshold: 2000 });
    await page.waitForFunction((n) => document.querySelectorAll("#node-table tbody tr").length === n, before);
  });

  it("never refuses a group at a low threshold: opening one closes others to make room, and says so", async () => {
    await send(page, { type: "config/set", collapseThreshold: 10 });
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length <= 10);
    // At 10 the neurons start collapsed into their layers (a budget of 200 units); open layer 2, then two of its neurons.
    await clickGroup("MLP/layer2");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer2/neuron1").length === 1);
    await clickGroup("MLP/layer2/neuron1");
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".group").filter((n: any) => n.data("path") === "MLP/layer2/neuron2").length === 1);
    await clickGroup("MLP/layer2/neuron2");
    await page.waitForFunction(() => document.getElementById("scopebar")!.textContent!.includes("Opened neuron2"));
    expect(await page.textContent("#scopebar")).toContain("closed neuron1 to make room");
    expect((await posted(page)).some((m) => m.type === "view/log" && m.message.includes("would show"))).toBe(false);
    await send(page, { type: "config/set", collapseThreshold: 2000 });
  });
});

describe("a 5k-record view", () => {
  it("is laid out in one task and drawn in the next: the old drawing stays whole between them, and a step and a highlight sent meanwhile reach the new one", async () => {
    const p = await h.open({ width: 1200, height: 800 });
    await send(p, { type: "config/set", collapseThreshold: 100 });
    const s1 = mlpOfSize(5000), s2 = nextStep(s1);
    await sendSnapshot(p, s1);
    await p.waitForFunction(() => (window as any).gradscope.cy.nodes(".group").length > 0 && !(window as any).gradscope.busy);
    // A node whose record text differs between the two steps.
    const node = s1.values.data.findIndex((x, i) => formatNumber(x) !== formatNumber(s2.values.data[i]));
    expect(node).toBeGreaterThanOrEqual(0);
    // All in one task: open every group, a step, a highlight of the node (as the editor's current line asks).
    const during = await p.evaluate(([j2, n]) => {
      const app = (window as any).gradscope, harness = (window as any).harness;
      app.receive({ type: "config/set", collapseThreshold: 6000 });
      const groups = app.cy.nodes(".group").length;
      app.receive(harness.toMessage(j2, "step/update"));
      app.receive({ type: "nodes/highlight", nodes: [n] });
      return { groups, busy: app.busy };
    }, [toJSON(s2), node] as const);
    expect(during.groups).toBeGreaterThan(0);
    expect(during.busy).toBe(true);
    await p.waitForFunction(() => !(window as any).gradscope.busy);
    expect(await p.evaluate(() => (window as any).gradscope.cy.nodes(".group").length)).toBe(0);
    // Zoomed in on the node, its record joins cytoscape flagged, with the second step's numbers.
    await p.evaluate((n) => {
      const cy = (window as any).gradscope.cy;
      const q = cy.scratch("gradscope").positionOf(`n${n}`);
      cy.viewport({ zoom: 1, pan: { x: cy.width() / 2 - q.x, y: cy.height() / 2 - q.y } });
    }, node);
    await p.waitForFunction((n) => (window as any).gradscope.cy.$(`#n${n}`).nonempty() && !(window as any).gradscope.busy, node);
    const rec = await p.evaluate((n) => { const el = (window as any).gradscope.cy.$(`#n${n}`); return { flagged: el.hasClass("flagged"), label: el.data("label") as string }; }, node);
    expect(rec.flagged).toBe(true);
    await p.waitForFunction(([n, text]) => ((window as any).gradscope.cy.$(`#n${n}`).data("label") as string).includes(text as string), [node, formatNumber(s2.values.data[node])] as const);
    expect(pageErrors(p)).toEqual([]);
    await p.close();
  });

  it("builds its table in slices (input is handled between them), with the newest values in every row; End reaches the last row at once", async () => {
    const p = await h.open({ width: 1200, height: 800 });
    await send(p, { type: "config/set", collapseThreshold: 100 });
    const s1 = mlpOfSize(5000), s2 = nextStep(s1);
    await sendSnapshot(p, s1);
    await p.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0 && !(window as any).gradscope.busy);
    await p.focus("#node-table tbody tr");
    // Count the tasks that append rows: a mutation observer's callback runs once per task that changed the body.
    await p.evaluate(() => {
      const w = window as any;
      w.rowTasks = 0;
      new MutationObserver(() => w.rowTasks++).observe(document.querySelector("#node-table tbody")!, { childList: true });
    });
    await send(p, { type: "config/set", collapseThreshold: 6000 });
    // A numbers-only step while the rows are being built.
    await sendSnapshot(p, s2, "step/update");
    await p.waitForFunction(() => !(window as any).gradscope.busy);
    const rows = await p.evaluate(() => [...document.querySelectorAll<HTMLTableRowElement>("#node-table tbody tr")].map((tr) => ({ node: Number(tr.dataset.node), data: tr.querySelector("td.data")?.textContent })));
    expect(rows.length).toBeGreaterThan(4900);
    expect(await p.evaluate(() => (window as any).rowTasks)).toBeGreaterThan(2);
    const values = rows.filter((r) => r.node >= 0);
    expect(values.length).toBeGreaterThan(4900);
    for (const r of values) expect(r.data, `node ${r.node}`).toBe(formatNumber(s2.values.data[r.node]));
    // The focus stayed in the table, on its first row; End goes to the last row of the whole view.
    expect(await p.evaluate(() => (document.activeElement as HTMLElement).dataset.unit)).toBe("0");
    await p.keyboard.press("End");
    expect(await p.evaluate(() => (document.activeElement as HTMLElement).dataset.unit)).toBe(String(rows.length - 1));
    await p.close();
  });

  it("holds in cytoscape only the records near the viewport; the others are drawn, clickable and exported all the same", async () => {
    const p = await h.open({ width: 1200, height: 800 });
    await send(p, { type: "config/set", collapseThreshold: 100 });
    await sendSnapshot(p, mlpOfSize(5000));
    await p.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    await send(p, { type: "config/set", collapseThreshold: 6000 });
    await p.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 4000 && !(window as any).gradscope.busy);
    const counts = await p.evaluate(() => { const cy = (window as any).gradscope.cy; return { records: cy.scratch("gradscope").valueRecords(), inCy: cy.nodes(".value").length }; });
    expect(counts.records).toBeGreaterThan(4900);
    expect(counts.inCy).toBeGreaterThan(0);
    expect(counts.inCy).toBeLessThan(counts.records / 4);
    expect(await p.evaluate(() => document.querySelectorAll("#node-table tbody tr").length)).toBe(counts.records);

    // Far out (below the zoom where records join cytoscape), over a parameter cytoscape does not hold: the fill layer
    // draws it; hovering it shows its card, clicking it selects it like any record.
    const at = await p.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      const q = cy.scratch("gradscope").positionOf("n0");
      cy.viewport({ zoom: 0.2, pan: { x: cy.width() / 2 - q.x * 0.2, y: cy.height() / 2 - q.y * 0.2 } });
      return { held: cy.$("#n0").nonempty() };
    });
    expect(at.held).toBe(false);
    await p.waitForFunction(() => !(window as any).gradscope.busy);
    expect(await p.evaluate(() => (window as any).gradscope.cy.$("#n0").nonempty())).toBe(false);
    const box = (await p.locator("#graph").boundingBox())!;
    await p.mouse.move(box.x + box.width / 2 - 30, box.y + box.height / 2);
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2);
    await p.waitForSelector("#tooltip:not([hidden])");
    await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await p.waitForFunction(() => document.querySelector("#details .node-details")?.getAttribute("data-node") === "0");
    expect(await p.evaluate(() => (window as any).gradscope.cy.$("#n0").selected())).toBe(true);

    // A PNG is cytoscape's drawing: every record joins it first. The drawing is 9.6k × 96k model px: the image is
    // scaled to fit 8,000 px (it used to ask for a 19k × 192k canvas and came out empty, "data:,").
    const saved = await requestExport(p, "png");
    expect(saved.suggestedName).toMatch(/\.png$/);
    expect(saved.data).toMatch(/^data:image\/png;base64,/);
    const size = await p.evaluate(async (uri) => {
      const img = new Image();
      img.src = uri;
      await img.decode();
      return { w: img.naturalWidth, h: img.naturalHeight };
    }, saved.data);
    expect(Math.max(size.w, size.h)).toBeLessThanOrEqual(8000);
    expect(Math.max(size.w, size.h)).toBeGreaterThan(4000);
    expect(await p.evaluate(() => (window as any).gradscope.cy.nodes(".value").length)).toBe(counts.records);
    await p.close();
  });
});
