import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sendSnapshot, startHarness, tableRows, type Harness } from "./harness";
import { mlpOfSize } from "./syntheticGraphs";
import { buildGroupTree } from "../../src/graph/groupTree";
import { collapseUnits } from "../../src/graph/visibleUnits";
import { formatNumber } from "../../src/graph/format";
import { AGG_WIDTH, groupAggregates, resolveView, viewPayload } from "../../src/runner/process/viewPayload";

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

type Sub = { type: "view/subscribe"; hash: string; expanded: string[]; nodes: number[] };

describe("the panel receives what it shows (view/subscribe → view/update)", () => {
  it("subscribes to what it draws, and a view/update rewrites those numbers without every node's", async () => {
    const page = await h.open();
    const s1 = mlpOfSize(3000);
    await sendSnapshot(page, s1);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length > 0);
    const sub = (await page.waitForFunction(() => (window as any).harness.posted.filter((m: any) => m.type === "view/subscribe").at(-1)).then((j) => j.jsonValue())) as Sub;
    expect(sub.hash).toBe(s1.topology.hash);
    // What it asked for is what it draws: the runner resolves the same units from the same tree.
    const tree = buildGroupTree(s1.topology);
    const units = collapseUnits(s1.topology, tree, new Set(sub.expanded)).units;
    const drawn = units.flatMap((u) => (u.kind === "node" ? [u.node] : []));
    for (const n of drawn) expect(sub.nodes).toContain(n);
    expect(units.some((u) => u.kind === "group")).toBe(true);

    // Step 2 as the runner would send it: the drawn nodes' numbers (doubled) and the groups' aggregates.
    const values = { data: s1.values.data.map((x) => x * 2), grad: s1.values.grad.map((x) => x * 2) };
    const view = resolveView(s1.topology, { hash: sub.hash, expanded: sub.expanded, nodes: Int32Array.from(sub.nodes) }, tree);
    const p = viewPayload(view, values);
    expect(p.agg.length).toBe(p.groups.length * AGG_WIDTH);
    expect(groupAggregates(tree, values).length).toBe(tree.size * AGG_WIDTH);
    const rowsBefore = await tableRows(page);
    await page.evaluate((m) => {
      const msg = { ...m, nodes: Int32Array.from(m.nodes), data: Float64Array.from(m.data), grad: Float64Array.from(m.grad), groups: Int32Array.from(m.groups), agg: Float64Array.from(m.agg) };
      (window as any).harness.send(msg);
    }, { type: "view/update", step: 2, loss: s1.loss * 2, hash: p.hash, nodes: [...p.nodes], data: [...p.data], grad: [...p.grad], groups: [...p.groups], agg: [...p.agg], updates: [] });
    await page.waitForFunction(() => document.getElementById("step-counter")!.textContent === "step 2" && !(window as any).gradscope.busy);
    const rowsAfter = await tableRows(page);
    const nodeRows = rowsAfter.filter((r) => r.node >= 0 && drawn.includes(r.node));
    expect(nodeRows.length).toBeGreaterThan(0);
    for (const r of nodeRows) expect(r.data).toBe(formatNumber(values.data[r.node]));
    expect(rowsAfter.map((r) => r.data)).not.toEqual(rowsBefore.map((r) => r.data));
    // Drawn, it says so (flow control: the runner sends the next update only then).
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "view/ack" && m.step === 2));
    // A view/update for another shape is ignored.
    await page.evaluate(() => (window as any).harness.send({ type: "view/update", step: 3, loss: 1, hash: "other", nodes: new Int32Array(0), data: new Float64Array(0), grad: new Float64Array(0), groups: new Int32Array(0), agg: new Float64Array(0), updates: [] }));
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.getElementById("step-counter")!.textContent)).toBe("step 2");
    // ...but acknowledged all the same, or the runner would hold the next update back until its fallback.
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "view/ack" && m.step === 3));
    // It no longer holds every node's numbers: a JSON or nodes-CSV export is written by the host from its snapshot.
    for (const [format, csv, want] of [["json", undefined, "json"], ["csv", "nodes", "csv-nodes"]] as const) {
      await send(page, csv ? { type: "export/request", format, csv } : { type: "export/request", format });
      await page.waitForFunction((w) => (window as any).harness.posted.some((m: any) => m.type === "export/fromHost" && m.format === w), want);
    }
    await page.close();
  });
});
