import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeScreenPosition, pageErrors, posted, send, sendSnapshot, startHarness, tableRows, type Harness } from "./harness";
import { fixture } from "./fixtures";
import { TapeBuilder } from "./syntheticGraphs";
import { OP } from "../../src/protocol/ops";

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

describe("robustness, states and themes", () => {
  it("says there is no run yet before any graph", async () => {
    const page = await h.open();
    expect(await page.isVisible("#empty-state")).toBe(true);
    expect(await page.textContent("#run-state")).toBe("idle");
    await page.close();
  });

  it("drops and logs malformed messages, and keeps working", async () => {
    const page = await h.open();
    const bad = [
      "not an object", null, { type: "graph/set" }, { type: "no/such" },
      { type: "loss/append", from: 0, losses: [1, 2] },
      { type: "session/state", state: "dancing", step: 1 },
    ];
    for (const m of bad) await send(page, m);
    await send(page, { type: "step/update", step: 1, loss: 1, values: { data: new Float64Array(1), grad: new Float64Array(1) }, updates: [] });
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    // A numbers update that does not fit the graph is refused, not half-applied.
    await send(page, { type: "step/update", step: 2, loss: 1, values: { data: new Float64Array(3), grad: new Float64Array(3) }, updates: [] });
    const logs = (await posted(page)).filter((m) => m.type === "view/log");
    expect(logs.length).toBe(bad.length + 2);
    expect(logs.every((l) => l.level === "warn")).toBe(true);
    expect(logs[2].message).toContain("graph/set");
    expect((await tableRows(page)).map((r) => r.grad)).toEqual(["42", "28", "14", "14", "1"]);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("shows the run state, the step and a compile error with the user's file:line", async () => {
    const page = await h.open();
    await send(page, { type: "session/state", state: "running", step: 3 });
    await page.waitForFunction(() => document.getElementById("run-state")!.textContent === "running");
    expect(await page.textContent("#btn-run")).toContain("Pause");
    await send(page, { type: "session/state", state: "error", step: 3, error: { kind: "compile", message: "Cannot find name 'lossy'.", file: "/w/examples/model.ts", line: 7, column: 12 } });
    await page.waitForSelector("#error-box:not([hidden])");
    expect(await page.textContent("#error-box")).toContain("model.ts:7:12");
    expect(await page.textContent("#error-box")).toContain("Cannot find name 'lossy'.");
    expect(await page.getAttribute("#run-state", "data-state")).toBe("error");
    await send(page, { type: "session/state", state: "finished", step: 4 });
    await page.waitForSelector("#error-box", { state: "hidden" });
    await page.close();
  });

  it("shows NaN as NaN, highlighted, without breaking the colour scale", async () => {
    const page = await h.open();
    const t = new TapeBuilder();
    const x = t.leaf(-1, "x");
    const y = t.apply(OP.log, x, undefined, "y"); // log(-1) = NaN
    const z = t.leaf(2, "z");
    t.apply(OP.mul, y, z, "loss");
    await sendSnapshot(page, t.snapshot("nan-graph"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 4);
    const rows = await tableRows(page);
    expect(rows.find((r) => r.label === "y")?.data).toBe("NaN");
    const nan = await page.evaluate(() => (window as any).gradscope.cy.nodes(".nan").map((n: any) => n.data("label").split("\n")[0]));
    expect(nan).toContain("y");
    expect(nan).toContain("loss");
    // The scale's top is the largest finite |grad| (2, of y), not NaN.
    expect(await page.$$eval("#legend .legend-axis", (els) => els.map((e) => e.textContent))).toEqual(["−2", "+2"]);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("follows VS Code's theme: dark, light, high contrast", async () => {
    const page = await h.open({ theme: "dark" });
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    const look = () => page.evaluate(() => ({
      theme: document.body.dataset.theme,
      fill: (window as any).gradscope.cy.$("#n0").data("fill"),
      text: (window as any).gradscope.cy.$("#n0").style("color"),
      background: getComputedStyle(document.body).backgroundColor,
    }));
    const dark = await look();
    expect(dark.theme).toBe("dark");
    expect(dark.background).toBe("rgb(31, 31, 31)");
    await page.evaluate(() => { document.body.className = "vscode-light"; });
    await page.waitForFunction(() => document.body.dataset.theme === "light");
    const light = await look();
    expect(light.background).toBe("rgb(255, 255, 255)");
    expect(light.fill).not.toBe(dark.fill);
    expect(light.text).not.toBe(dark.text);
    await page.evaluate(() => { document.body.className = "vscode-high-contrast"; });
    await page.waitForFunction(() => document.body.dataset.theme === "high-contrast");
    const hc = await look();
    expect(hc.background).toBe("rgb(0, 0, 0)");
    expect(await page.evaluate(() => (window as any).gradscope.cy.$("#n2").style("border-width"))).toBe("2px");
    await page.close();
  });

  it("sends run controls from buttons and keyboard shortcuts", async () => {
    const page = await h.open();
    await send(page, { type: "session/state", state: "paused", step: 1 });
    await page.waitForFunction(() => document.getElementById("run-state")!.textContent === "paused");
    await page.click("#btn-step");
    await page.fill("#run-n", "25");
    await page.click("#btn-run-n");
    await page.click("#btn-run");
    await send(page, { type: "session/state", state: "running", step: 1 });
    await page.waitForFunction(() => document.getElementById("run-state")!.textContent === "running");
    await page.focus("#graph");
    await page.keyboard.press("Space");
    await page.keyboard.press("x");
    await page.keyboard.press("Shift+R");
    await send(page, { type: "session/state", state: "paused", step: 2 });
    await page.waitForFunction(() => document.getElementById("run-state")!.textContent === "paused");
    await page.keyboard.press("s");
    const controls = (await posted(page)).filter((m) => m.type.startsWith("control/"));
    expect(controls).toEqual([
      { type: "control/step" }, { type: "control/runN", n: 25 }, { type: "control/run" },
      { type: "control/pause" }, { type: "control/stop" }, { type: "control/restart" }, { type: "control/step" },
    ]);
    await page.keyboard.press("?");
    expect(await page.isVisible("#help-dialog")).toBe(true);
    expect(await page.textContent("#help-dialog")).toContain("Run / Pause");
    await page.close();
  });

  it("highlights the nodes the host points at (the editor's current line)", async () => {
    const page = await h.open();
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    await send(page, { type: "nodes/highlight", nodes: [2, 3] });
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".flagged").length === 2);
    await send(page, { type: "nodes/highlight", nodes: [] });
    await page.waitForFunction(() => (window as any).gradscope.cy.nodes(".flagged").length === 0);
    await page.close();
  });

  it("restores zoom, pan and selection from the saved state after a reload", async () => {
    const page = await h.open();
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    const p = await nodeScreenPosition(page, "n1");
    await page.mouse.click(p.x, p.y);
    // The user zooms with the wheel: from then on the viewport is theirs, and a reload keeps it.
    await page.mouse.move(300, 300);
    await page.mouse.wheel(0, 400);
    await page.waitForFunction(() => (window as any).harness.state?.userViewport === true && (window as any).harness.state?.selected === 1);
    const state = await page.evaluate(() => (window as any).harness.state);
    await page.close();

    const reloaded = await h.open({ state });
    await sendSnapshot(reloaded, fixture("chain-rule"));
    await reloaded.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    const vp = await reloaded.evaluate(() => { const cy = (window as any).gradscope.cy; return { zoom: cy.zoom(), pan: cy.pan() }; });
    expect(vp).toEqual({ zoom: state.zoom, pan: state.pan });
    expect(await reloaded.textContent("#details .title")).toContain("b");
    await reloaded.close();
  });

  it("animates the backward pass from the loss to the leaves", async () => {
    const page = await h.open();
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    // Record the order in which records light up.
    await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      (window as any).litOrder = [];
      cy.on("class", "node.value", (e: any) => { if (!e.target.hasClass("unlit") && !(window as any).litOrder.includes(e.target.id())) (window as any).litOrder.push(e.target.id()); });
    });
    await page.focus("#graph");
    await page.keyboard.press("a");
    await page.waitForFunction(() => (window as any).litOrder.length === 5 && (window as any).gradscope.cy.nodes(".unlit").length === 0);
    expect(await page.evaluate(() => (window as any).litOrder)).toEqual(["n4", "n3", "n2", "n1", "n0"]);
    await page.close();
  });
});

describe("renderer", () => {
  it("draws with cytoscape's WebGL mode when asked and WebGL2 exists, and falls back to canvas where it does not", async () => {
    const page = await h.open({ renderer: "webgl" });
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    expect(await page.getAttribute("#graph", "data-renderer-used")).toBe("webgl");
    expect(await page.evaluate(() => (window as any).gradscope.cy.nodes(".value").length)).toBe(5);
    expect(pageErrors(page)).toEqual([]);
    await page.close();

    const noGl = await h.browser.newPage();
    await noGl.addInitScript(() => {
      const get = HTMLCanvasElement.prototype.getContext;
      (HTMLCanvasElement.prototype as any).getContext = function (this: HTMLCanvasElement, kind: string, ...rest: unknown[]) { return kind === "webgl2" ? null : (get as any).call(this, kind, ...rest); };
    });
    await noGl.goto(`${h.url}/index.html?theme=dark&renderer=webgl`);
    await noGl.waitForFunction(() => (window as any).harness?.posted.some((m: any) => m.type === "view/ready"));
    await sendSnapshot(noGl, fixture("chain-rule"));
    await noGl.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    expect(await noGl.getAttribute("#graph", "data-renderer-used")).toBe("canvas");
    await noGl.close();
  });
});

describe("panelHtml", () => {
  it("builds a page with a strict CSP: nonce-only scripts, no inline styles, nothing remote", async () => {
    const { panelHtml } = await import("../../webview/panelHtml");
    const html = panelHtml({ cspSource: "https://file+.vscode-resource.vscode-cdn.net", nonce: "abc123", scriptUri: "https://x/dist/webview.js", styleUri: "https://x/media/panel.css" });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).not.toContain("unsafe");
    expect(html).toContain('id="__________cytoscape_stylesheet"');
    expect(html).not.toMatch(/<style|style="/);
    expect(html.match(/<script /g)?.length).toBe(1);
    expect(html).toContain('<script nonce="abc123" src="https://x/dist/webview.js">');
  });
});
