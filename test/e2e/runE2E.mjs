#!/usr/bin/env node
// End to end, as a user: package the .vsix, install it into code-server, open examples/ in the
// workbench (headless Chromium, 1440×900), run Gradscope from the command palette, read the panel,
// step. The walk: chain-rule → Step after it finished (Restart offered, and it works) →
// coffee-shop (step from the panel, the keys, the palette, the status bar) → moons → close the
// panel mid-run and get it back (status bar → Show Graph) → Developer: Reload Window → an untitled model
// from the example picker in a window without a folder (its CodeLens Step continues the run).
// Every wait is for state (a tab, the panel, the status bar), never for time.
// Screenshots go to /tmp/gradscope-shots/e2e-*.png.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ensureCodeServer, installVsix, repoRoot, startCodeServer } from "../vscode/codeServer.mjs";
import { cliTimedSteps, cpuByProcessKind, cpuSummary, settle, timedSteps } from "./timing.mjs";
import { clickCodeLens, closePanelTab, findPanelFrame, focusEditor, openFileFromExplorer, panelText, pickQuickItem, runCommandFromPalette, statusBarText, waitForToast, waitUntil } from "./workbench.mjs";

const SHOTS = "/tmp/gradscope-shots";
const verbose = process.argv.includes("--verbose");
const started = Date.now();
const examplesDir = path.join(repoRoot, "examples");
// The one universal package scripts/package-vsix.mjs makes.
const vsix = path.join(repoRoot, "out", `gradscope-${JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).version}.vsix`);

if (!process.argv.includes("--no-package")) execFileSync(process.execPath, [path.join(repoRoot, "scripts", "package-vsix.mjs")], { stdio: "inherit" });
ensureCodeServer();
mkdirSync(SHOTS, { recursive: true });

const scratch = mkdtempSync(path.join(os.tmpdir(), "gradscope-e2e-"));
const extensionsDir = path.join(scratch, "extensions");
installVsix(vsix, extensionsDir, scratch);
const server = await startCodeServer({ folder: examplesDir, dataDir: scratch, extensionsDir, log: verbose ? (t) => process.stdout.write(`[code-server] ${t}`) : () => {} });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
if (verbose) page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));
const shot = async (name) => {
  await page.screenshot({ path: path.join(SHOTS, `e2e-${name}.png`) });
  console.log(`  screenshot ${SHOTS}/e2e-${name}.png`);
};
const check = (ok, what) => {
  if (!ok) throw new Error(what);
  console.log(`  ✓ ${what}`);
};

/** The CodeLens above backward() follows the run (starting → paused): Step, Run, Restart, not a stale Pause. */
const pausedLenses = () =>
  waitUntil("the CodeLens above backward() to offer Step while paused", async () => {
    const titles = (await page.locator(".editor-group-container .monaco-editor .codelens-decoration a").allInnerTexts()).map((t) => t.trim());
    return titles.includes("Step") && titles.includes("Restart") && !titles.includes("Pause") && titles;
  });

let failure;
try {
  console.log(`workbench ${server.url}/?folder=${examplesDir}`);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(examplesDir)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });

  // 1. The seed example: a = 2, b = 3, loss = (a·b + 1)² = 49, ∂loss/∂a = 42.
  await openFileFromExplorer(page, "chain-rule.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const panel = await findPanelFrame(page);
  const gradOfA = await waitUntil("node a's gradient in the panel's node list", async () => {
    const rows = await panel.locator("#node-table tbody tr").all();
    for (const row of rows) {
      const cells = await row.locator("td, th").allTextContents();
      if (cells[0]?.trim() === "a") return cells[3]?.trim();
    }
    return undefined;
  });
  check(gradOfA === "42", `node a's gradient reads 42 in the panel (got ${gradOfA})`);
  const lenses = await pausedLenses();
  check(true, `paused at step 1, the CodeLens above backward() reads "${lenses.join(" | ")}"`);
  await shot("1-chain-rule");

  // Run it to the end: the model's console.log goes to the Gradscope output channel.
  await panel.locator("#btn-run").click();
  await waitUntil("the status bar to say finished", async () => /finished/.test(await statusBarText(page)));
  await runCommandFromPalette(page, "Gradscope: Show Output");
  const output = await waitUntil("the model's console output in the Gradscope channel", async () => {
    // Monaco renders spaces as no-break spaces.
    const text = (await page.locator(".part.panel .monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
    return /loss = 49, ∂loss\/∂a = 42/.test(text) && text;
  });
  check(true, `the output channel shows the model's console: "${output.split("\n").find((l) => l.includes("loss = 49"))}"`);
  await shot("1b-output-channel");
  await page.keyboard.press("Control+J"); // hide the panel area again

  // 1c. Step after the run finished: nothing restarts behind the user's back. The palette's Step says
  // why and offers Restart (the primary control once a run is over); Restart runs it again.
  await runCommandFromPalette(page, "Gradscope: Step");
  const finishedToast = await waitForToast(page, "The run has finished");
  check(/finished/.test(await statusBarText(page)), `Step after the end says why ("${(await finishedToast.locator(".notification-list-item-message").innerText()).trim()}") and leaves the run finished`);
  await shot("1c-step-after-finish");
  await finishedToast.locator(".monaco-button", { hasText: "Restart" }).click();
  await waitUntil("chain-rule restarted, paused at step 1", async () => /step 1\b.*paused/.test(await statusBarText(page)));
  await waitForStep(panel, 1);
  check(true, "Restart from the notification ran chain-rule again to its first backward()");

  // 2. A training example: step three times, watching the panel and the status bar.
  const training = pickTrainingExample();
  console.log(`training example: ${training}`);
  await openFileFromExplorer(page, training);
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const chainRuleLoss = (await panelText(panel)).loss;
  // The panel is reused: wait until it shows the new model's first step, not chain-rule's.
  const first = await waitUntil("step 1 of the training example", async () => {
    const p = await panelText(panel);
    return p.step === 1 && p.loss && p.loss !== chainRuleLoss ? p : undefined;
  });
  const barAtStep1 = await waitUntil("the status bar at step 1", async () => {
    const t = await statusBarText(page);
    return /step 1\b/.test(t) && !t.includes("loss 49 ") && t;
  });
  await shot("2-training-step-1");

  const seen = [first];
  // Three different ways a user steps: the panel's button, the editor keybinding, the palette.
  await panel.locator("#btn-step").click();
  seen.push(await waitForStep(panel, 2));
  await focusEditor(page);
  await page.keyboard.press("Control+Alt+Period");
  seen.push(await waitForStep(panel, 3));
  await runCommandFromPalette(page, "Gradscope: Step");
  seen.push(await waitForStep(panel, 4));
  check(new Set(seen.map((s) => s.loss)).size === seen.length, `the loss changed at every step: ${seen.map((s) => s.loss).join(" → ")}`);
  const bar = await statusBarText(page);
  const barLoss = (t) => t.match(/loss (\S+)/)?.[1];
  check(/step 4\b/.test(bar) && barLoss(bar) !== undefined && barLoss(bar) !== barLoss(barAtStep1), `the status bar shows step 4 and a new loss: "${barAtStep1}" → "${bar}"`);
  await shot("3-training-step-4");

  // 3. The step key works from the panel too (the webview forwards it to the workbench).
  await panel.locator("#graph").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+Alt+Period");
  await waitForStep(panel, 5);

  // 4. Clicking the status bar item runs the model on (coffee-shop trains for 300 steps).
  await page.locator(".statusbar-item", { hasText: "Gradscope:" }).first().click();
  const ranOn = await waitUntil("the status bar to show the run going on past step 5", async () => {
    const t = await statusBarText(page);
    const step = Number(t.match(/step (\d+)/)?.[1] ?? 0);
    return step > 5 && /running|finished/.test(t) && t;
  });
  check(true, `the status bar click ran the model on: "${ranOn}"`);

  await waitUntil("the training example to end or pause", async () => /finished|paused/.test(await statusBarText(page)));

  // 5. The big one: moons (an MLP over 100 points, ~65k nodes a step), opened collapsed into groups.
  const trainingLoss = (await panelText(panel)).loss;
  await openFileFromExplorer(page, "moons-mlp.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const moons = await waitUntil("moons at step 1", async () => {
    const p = await panelText(panel);
    return p.step === 1 && p.loss && p.loss !== trainingLoss && /step 1\b.*paused/.test(await statusBarText(page)) ? p : undefined;
  }, 120_000);
  check((await panel.locator("#node-table tbody tr").count()) > 0, `moons at step 1 (loss ${moons.loss}) with its groups in the node list`);
  await shot("5-moons");

  // 5b. Open a layer-2 neuron from the node list with the keyboard, then its first call, down to single nodes:
  // the panel subscribes to what it now shows and the runner process sends those nodes' numbers.
  await panel.locator('#node-table tbody tr[data-group="MLP/layer2/neuron1"]').focus();
  await page.keyboard.press("Enter");
  const call = panel.locator('#node-table tbody tr[data-group="MLP/layer2/neuron1/@call1"]');
  await waitUntil("the neuron's parts in the node list", async () => (await call.count()) > 0);
  await call.focus();
  await page.keyboard.press("Enter");
  const opened = await waitUntil("single nodes of the neuron's first call, with their numbers", async () => {
    const rows = [];
    for (const row of await panel.locator("#node-table tbody tr").all()) {
      if (Number(await row.getAttribute("data-node")) < 0) continue;
      const cells = (await row.locator("td, th").allTextContents()).map((c) => c.trim());
      if (cells[2] && cells[3]) rows.push(cells);
    }
    return rows.length >= 3 && rows;
  });
  // Its products w·x are not all 0 (x: layer 1's outputs for the first point): real numbers arrived for these nodes.
  const nonZero = opened.find((c) => /^mul/.test(c[0]) && c[2] !== "0");
  check(nonZero !== undefined, `layer2/neuron1's first call opened to ${opened.length} single nodes with numbers, e.g. ${[opened[0], nonZero].filter(Boolean).map((c) => c.slice(0, 4).join(" | ")).join(" · ")}`);
  await shot("5b-moons-neuron-opened");

  // 6. Close the panel mid-run: training goes on, the status bar click brings the graph back with the current state.
  await page.locator(".statusbar-item", { hasText: "Gradscope:" }).first().click(); // run
  await waitUntil("moons running", async () => /running|finished/.test(await statusBarText(page)));
  await closePanelTab(page);
  await shot("6-panel-closed");
  check(true, `panel closed with the model ${/running/.test(await statusBarText(page)) ? "still running" : "already finished"}: "${await statusBarText(page)}"`);
  // The click's command follows the panel (closed → Show Graph) once the workbench has the item's update: wait
  // for its tooltip to say so, or the click would still pause the run.
  const item = page.locator(".statusbar-item", { hasText: "Gradscope:" }).first();
  await waitUntil("the status bar item to offer Show Graph", async () => {
    await page.mouse.move(0, 0);
    await item.hover();
    return page.locator(".monaco-hover", { hasText: "Click to show the graph" }).first().waitFor({ state: "visible", timeout: 2000 }).then(() => true, () => false);
  });
  await item.click(); // panel closed → Show Graph
  const reopened = await findPanelFrame(page);
  if (/running/.test(await statusBarText(page))) await runCommandFromPalette(page, "Gradscope: Pause");
  const moonsBar = await waitUntil("moons paused or finished", async () => {
    const t = await statusBarText(page);
    return /paused|finished/.test(t) && { step: Number(t.match(/step (\d+)/)?.[1]), finished: /finished/.test(t) };
  }, 120_000);
  // Paused: the panel shows exactly that step. Finished: the last full report may be one throttle interval older.
  const shownAgain = await waitUntil(`the reopened panel at step ${moonsBar.step}`, async () => {
    const p = await panelText(reopened);
    // The graph and the loss curve arrive after the state (a 65k-node graph is megabytes): wait for them too.
    const drawn = await reopened.evaluate(() => document.getElementById("empty-state")?.hidden === true && document.querySelectorAll("#node-table tbody tr").length > 0);
    return drawn && /^step \d+/.test(p.loss) && p.step !== undefined && (moonsBar.finished ? p.step > 1 && p.step <= moonsBar.step : p.step === moonsBar.step) ? p : undefined;
  });
  check(shownAgain.step > 1, `Show Graph reattached the panel at the run's current step ${shownAgain.step} of ${moonsBar.step} (loss ${shownAgain.loss}), not a fresh run`);
  await shot("7-panel-reopened");

  // 7. A window reload brings the panel back (WebviewPanelSerializer) with the model re-run to its first step.
  // Developer: Reload Window, as a VS Code user reloads: it writes the workbench's layout (the reopened panel in
  // it) before reloading. A browser reload (page.reload()) does not wait for that write, and the layout it
  // restores lacks a panel opened in the last minute or so (0 of 4 came back here, against 4 of 4 this way).
  const reloaded = page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
  await runCommandFromPalette(page, "Developer: Reload Window");
  await reloaded;
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  const restored = await findPanelFrame(page);
  const afterReload = await waitUntil("the restored panel at step 1 with a graph", async () => {
    const t = await panelText(restored);
    return t.step === 1 && (await restored.locator("#node-table tbody tr").count()) > 0 ? t : undefined;
  }, 120_000);
  check(true, `after a reload the panel is back at step 1 (${afterReload.loss}), the CodeLens reading "${(await pausedLenses()).join(" | ")}"`);
  await shot("8-after-reload");

  // 7b. Live speed with the panel visible vs the CLI, same file, same E2E run (issue 9 goal 3: ≥ 0.8×).
  // Printed as a ratio, never asserted: the machine is shared. Steps are timed where each is first seen.
  // A reloaded workbench keeps working for a while (tsserver, extension host, first renders): time the
  // model in a settled workbench, as a user would train, not in the reload's wake.
  const settled = await settle();
  if (/paused/.test(await statusBarText(page))) await page.locator(".statusbar-item", { hasText: "Gradscope:" }).first().click(); // run
  const cpuBefore = cpuByProcessKind();
  // The 100-step file runs for well under a second now: poll often (bench/workbench/liveVsCli.mjs times 1,000 steps).
  const live = await timedSteps(async () => {
    const t = await statusBarText(page);
    return { step: Number(t.match(/step (\d+)/)?.[1] ?? 0), done: /finished|error|stopped/.test(t) };
  }, { everyMs: 20 });
  const cpuLive = cpuByProcessKind(cpuBefore);
  const cli = await cliTimedSteps(path.join(examplesDir, "moons-mlp.ts"));
  // Where the machine's time went during the live run (CPU seconds per kind of process): what to make cheaper next.
  console.log(`  workbench settled after ${settled.toFixed(1)} s (its processes below 0.25 CPU-s per second)`);
  console.log(`  CPU during the live run: ${cpuSummary(cpuLive)}`);
  check(live.rate > 0 && cli.rate > 0, `moons with the panel visible ${live.rate.toFixed(1)} steps/s (steps ${live.from}–${live.to}) vs the CLI ${cli.rate.toFixed(1)} steps/s (steps ${cli.from}–${cli.to}): live/CLI ×${(live.rate / cli.rate).toFixed(2)} (issue 9 goal 3: ≥ 0.8)`);
  await shot("8b-after-timed-run");

  // 7c. Issue 10: nan-hunt.ts pauses at the first non-finite value (the default breakpoint), the Health view
  // says where it came from, the editor reveals that line and marks it with a diagnostic.
  await openFileFromExplorer(page, "nan-hunt.ts");
  // Until the new run shows in the status bar, it still says how the moons run ended ("step 100 · finished").
  const endedBar = await statusBarText(page);
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const nanPanel = await findPanelFrame(page);
  // Run on from step 1 once. The status bar can still say "step 1 · paused" a moment after the click on a busy
  // machine: a second click then would run on from the breakpoint. Click again only if nothing moved for 10 s.
  let clickedAt = -Infinity;
  const nanBar = await waitUntil("nan-hunt paused at its breakpoint", async () => {
    const t = await statusBarText(page);
    if (t === endedBar) return undefined;
    if (/paused/.test(t) && Number(t.match(/step (\d+)/)?.[1]) > 1) return t;
    if (/finished|error|stopped/.test(t)) return t;
    if (/step 1\b.*paused/.test(t) && Date.now() - clickedAt > 10_000) {
      clickedAt = Date.now();
      await page.locator(".statusbar-item", { hasText: "Gradscope:" }).first().click();
    }
    return undefined;
  }, 120_000);
  check(/step 5\b.*paused/.test(nanBar), `nan-hunt paused by itself at step 5, where log(0) first gave −Infinity: "${nanBar}"`);
  const healthLine = await waitUntil("the Health view's nan-origin line", async () => {
    const rows = await nanPanel.locator("#insight-panel li, #insight-panel [role=option], #insight-panel tr").allTextContents();
    return rows.find((r) => /log of 0/.test(r) && /nan-hunt\.ts:13/.test(r));
  });
  check(true, `the Health view says where: "${healthLine.replace(/\s+/g, " ").trim()}"`);
  const cursorLine = await waitUntil("the editor's cursor on the breakpoint's line", async () => {
    const n = await page.locator(".editor-group-container .monaco-editor .line-numbers.active-line-number").first().textContent().catch(() => "");
    return n?.trim() === "13" && n.trim();
  });
  check(true, `the editor revealed the log's line: the cursor is on line ${cursorLine}`);
  // The panel shows the paused step's own numbers: the log node holds −Infinity, not an earlier step's value.
  const logRow = await waitUntil("the log node's value at step 5 in the node list", async () => {
    for (const row of await nanPanel.locator("#node-table tbody tr").all()) {
      const cells = (await row.locator("td, th").allTextContents()).map((c) => c.trim());
      if (/^log/.test(cells[0] ?? "") || cells[1] === "log") return /∞/.test(cells[2] ?? "") ? cells : undefined;
    }
    return undefined;
  });
  check(true, `the paused panel shows step 5's numbers: ${logRow.slice(0, 4).join(" | ")}`);
  const squiggles = await waitUntil("a diagnostic on the log's line", async () => {
    const n = await page.locator(".monaco-editor .squiggly-warning, .monaco-editor .squiggly-error").count();
    return n > 0 && n;
  });
  check(squiggles > 0, `the log's line carries a Gradscope diagnostic (${squiggles} marked range${squiggles === 1 ? "" : "s"} in the editor)`);
  await shot("8c-nan-hunt");

  // 8. No folder open: New Model From Example makes an untitled model. It runs, and its CodeLens Step
  // continues the run (it used to start again at step 1: the editor side looked the model up by path).
  await page.goto(`${server.url}/?ew=true`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await runCommandFromPalette(page, "Gradscope: New Model From Example");
  await pickQuickItem(page, "coffee-shop.ts");
  await page.locator(".tabs-container .tab.active", { hasText: "Untitled-1" }).waitFor({ timeout: 30_000 });
  await focusEditor(page);
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const untitledPanel = await findPanelFrame(page);
  await waitForStep(untitledPanel, 1);
  await clickCodeLens(page, "Step");
  await waitForStep(untitledPanel, 2);
  await clickCodeLens(page, "Step");
  await waitForStep(untitledPanel, 3);
  check(true, "the untitled model's CodeLens Step went 1 → 2 → 3");
  await shot("9-untitled");
  console.log(`e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  failure = err;
  console.error(`e2e FAILED: ${err instanceof Error ? err.stack : err}`);
  await shot("failure").catch(() => {});
} finally {
  await browser.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failure ? 1 : 0);

async function waitForStep(panel, step) {
  const p = await waitUntil(`the panel at step ${step}`, async () => {
    const t = await panelText(panel);
    return t.step === step ? t : undefined;
  });
  await waitUntil(`the status bar at step ${step}`, async () => new RegExp(`step ${step}\\b`).test(await statusBarText(page)));
  check(true, `step ${step}: panel shows loss ${p.loss}`);
  return p;
}

/** The first example (by name) that trains: a loop around backward(). */
function pickTrainingExample() {
  const preferred = process.env.GRADSCOPE_E2E_TRAINING;
  if (preferred) return preferred;
  for (const f of readdirSync(examplesDir).sort()) {
    if (!f.endsWith(".ts") || f === "chain-rule.ts") continue;
    const text = readFileSync(path.join(examplesDir, f), "utf8");
    if (/\bfor\s*\(/.test(text) && /\.backward\(/.test(text) && !/makeMoons|MLP/.test(text)) return f;
  }
  throw new Error("no training example (a loop around backward()) in examples/");
}
