import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nodeScreenPosition, posted, send, sendSnapshot, startHarness, type Harness } from "./harness";
import { fixture } from "./fixtures";

/**
 * Issue 7, "one run state, one set of controls" (panel side): the toolbar
 * reads controlsFor(state) from src/protocol/run.ts, disabled controls say why,
 * their shortcuts say why instead of acting, and Restart leads once a run is
 * over. Plus the two host messages that keep the panel on exactly one model:
 * session/reset and model/warning.
 */

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const controls = async (page: Page) => (await posted(page)).filter((m) => m.type.startsWith("control/"));
const button = (page: Page, id: string) => page.evaluate((i) => {
  const b = document.getElementById(i)!;
  return { disabled: b.getAttribute("aria-disabled") === "true", title: b.title, description: b.getAttribute("aria-description") ?? "", primary: b.classList.contains("primary"), label: b.getAttribute("aria-label") };
}, id);

async function withState(state: string, step = 1): Promise<Page> {
  const page = await h.open({ width: 700, height: 900 });
  await send(page, { type: "session/state", state, step, file: "/w/examples/chain-rule.ts" });
  await page.waitForFunction((s) => document.getElementById("run-state")!.textContent === s, state);
  return page;
}

describe("controls follow the run state", () => {
  it("after a run finished, Step, Run, Run N and Stop are disabled and say why; Restart is the primary control", async () => {
    const page = await withState("finished");
    for (const id of ["btn-step", "btn-run", "btn-run-n"]) {
      const b = await button(page, id);
      expect(b.disabled, id).toBe(true);
      expect(b.title, id).toContain("The run has finished: Restart to run it again");
      expect(b.description, id).toBe("The run has finished: Restart to run it again");
      expect(b.primary, id).toBe(false);
    }
    expect((await button(page, "btn-stop")).title).toContain("The run has finished");
    expect(await button(page, "btn-restart")).toMatchObject({ disabled: false, primary: true });
    expect(await page.isDisabled("#run-n")).toBe(true);
    await page.close();
  });

  it("a disabled control (button or shortcut) sends nothing and says why; Restart (Shift+R) acts", async () => {
    const page = await withState("finished");
    await page.click("#btn-step", { force: true }); // aria-disabled: Playwright would wait for it to enable
    await page.waitForFunction(() => document.getElementById("notice")?.textContent?.includes("The run has finished"));
    await page.focus("#graph");
    for (const key of ["s", "Space", "n", "x"]) await page.keyboard.press(key);
    expect(await controls(page)).toEqual([]);
    expect(await page.textContent("#announcer")).toContain("The run has finished");
    await page.keyboard.press("Shift+R");
    expect(await controls(page)).toEqual([{ type: "control/restart" }]);
    await page.close();
  });

  it("while running, the Run button is Pause (primary), Step and Run N wait for a pause", async () => {
    const page = await withState("running");
    expect(await button(page, "btn-run")).toMatchObject({ disabled: false, primary: true, label: "Pause" });
    expect(await button(page, "btn-step")).toMatchObject({ disabled: true, title: expect.stringContaining("Training is running: pause first") });
    await page.focus("#graph");
    await page.keyboard.press("s");
    await page.keyboard.press("Space");
    expect(await controls(page)).toEqual([{ type: "control/pause" }]);
    await send(page, { type: "session/state", state: "paused", step: 3 });
    await page.waitForFunction(() => document.getElementById("run-state")!.textContent === "paused");
    expect(await button(page, "btn-step")).toMatchObject({ disabled: false, primary: true });
    expect(await button(page, "btn-run")).toMatchObject({ disabled: false, label: "Run" });
    await page.close();
  });

  it("before any run (idle) nothing can be started from the panel, and it says how to start", async () => {
    const page = await h.open();
    expect((await button(page, "btn-step")).title).toContain("No model is running: Visualize a model first");
    await page.click("#btn-run", { force: true });
    expect(await controls(page)).toEqual([]);
    await page.close();
  });
});

describe("one model at a time", () => {
  it("session/reset forgets the last model: graph, selection, loss curve, history, warnings, error", async () => {
    const page = await withState("paused", 2);
    await sendSnapshot(page, fixture("coffee-shop"));
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array([9, 5]) });
    await send(page, { type: "history/available", steps: [1, 2] });
    await send(page, { type: "model/warning", message: "Gradients were not zeroed before backward()", file: "/w/examples/coffee-shop.ts", line: 14 });
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
    const p = await nodeScreenPosition(page, "n0");
    await page.mouse.click(p.x, p.y);
    await page.waitForSelector("#details:not([hidden])");
    await send(page, { type: "session/state", state: "error", step: 2, error: { kind: "runtime", message: "boom" } });
    await page.waitForSelector("#error-box:not([hidden])");

    await send(page, { type: "session/reset", file: "/w/examples/chain-rule.ts", title: "chain-rule.ts" });
    await page.waitForFunction(() => (window as any).gradscope.cy.elements().length === 0);
    const after = await page.evaluate(() => ({
      rows: document.querySelectorAll("#node-table tbody tr").length,
      details: document.getElementById("details")!.hidden,
      readout: document.getElementById("loss-readout")!.textContent,
      history: document.getElementById("history-hint")!.textContent,
      warnings: document.getElementById("warnings")!.hidden,
      error: document.getElementById("error-box")!.hidden,
      empty: document.getElementById("empty-state")!.hidden,
      title: document.getElementById("empty-title")!.textContent,
      counter: document.getElementById("step-counter")!.textContent,
    }));
    expect(after).toEqual({ rows: 0, details: true, readout: "no steps yet", history: "", warnings: true, error: true, empty: false, title: "Starting chain-rule.ts…", counter: "step —" });
    // The next model's graph is the only one shown, fitted afresh.
    await sendSnapshot(page, fixture("chain-rule"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
    expect(await page.evaluate(() => (window as any).gradscope.cy.nodes(".value").length)).toBe(5);
    expect(await page.isHidden("#empty-state")).toBe(true);
    await page.close();
  });

  it("model/warning shows a banner with the file and line, once, until dismissed", async () => {
    const page = await withState("paused");
    const warning = { type: "model/warning", message: "Gradients were not zeroed before backward(): they add up across steps", file: "/w/examples/coffee-shop.ts", line: 14 };
    await send(page, warning);
    await send(page, warning);
    await page.waitForSelector("#warnings:not([hidden])");
    expect(await page.$$eval("#warnings .warning", (ws) => ws.map((w) => w.textContent))).toEqual(["⚠Gradients were not zeroed before backward(): they add up across stepscoffee-shop.ts:14✕"]);
    await send(page, { type: "model/warning", message: "The model never called backward(): nothing to step through" });
    await page.waitForFunction(() => document.querySelectorAll("#warnings .warning").length === 2);
    await page.click("#warnings .warning:first-child .dismiss");
    expect(await page.$$eval("#warnings .warning .text", (ws) => ws.map((w) => w.textContent))).toEqual(["The model never called backward(): nothing to step through"]);
    await page.close();
  });
});
