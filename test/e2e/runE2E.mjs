#!/usr/bin/env node
// End to end, as a user: package the .vsix, install it into code-server, open examples/ in the
// workbench (headless Chromium), run Gradscope from the command palette, read the panel, step.
// Screenshots go to /tmp/gradscope-shots/e2e-*.png.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ensureCodeServer, installVsix, repoRoot, startCodeServer } from "../vscode/codeServer.mjs";
import { findPanelFrame, focusEditor, openFileFromExplorer, runCommandFromPalette, statusBarText, panelText, waitUntil } from "./workbench.mjs";

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
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
if (verbose) page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));
const shot = async (name) => {
  await page.screenshot({ path: path.join(SHOTS, `e2e-${name}.png`) });
  console.log(`  screenshot ${SHOTS}/e2e-${name}.png`);
};
const check = (ok, what) => {
  if (!ok) throw new Error(what);
  console.log(`  ✓ ${what}`);
};

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
      const cells = await row.locator("td, th").allInnerTexts();
      if (cells[0]?.trim() === "a") return cells[3]?.trim();
    }
    return undefined;
  });
  check(gradOfA === "42", `node a's gradient reads 42 in the panel (got ${gradOfA})`);
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

  // 5. A window reload brings the panel back (WebviewPanelSerializer) with the model re-run to its first step.
  await page.reload();
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  const restored = await findPanelFrame(page);
  const afterReload = await waitUntil("the restored panel at step 1 with a graph", async () => {
    const t = await panelText(restored);
    return t.step === 1 && (await restored.locator("#node-table tbody tr").count()) > 0 ? t : undefined;
  });
  check(true, `after a reload the panel is back at step 1 (${afterReload.loss})`);
  await shot("4-after-reload");
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
