#!/usr/bin/env node
// Issue 9 goal 3: a model's steps per second in the real workbench (code-server + Chromium) with
// the Gradscope panel visible, and with it closed, against `gradscope run --json` for the same
// file, round by round in one run (a ratio holds when the machine drifts; absolute rates do not).
// Prints where the CPU went in each mode. Options: --rounds N (3), --steps S (the moons loop's
// length, 1000), --no-package (reuse out/*.vsix), --profile (CPU profiles of the workbench's
// renderers during the first visible run: top functions by self time), --trace (a Chromium trace
// of it, main-thread time by event), --messages (what the panel received), --settings JSON (user
// settings for the workbench, e.g. '{"gradscope.inlineValues": false}'), --verbose.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ensureCodeServer, installVsix, repoRoot, startCodeServer } from "../../test/vscode/codeServer.mjs";
import { closePanelTab, findPanelFrame, openFileFromExplorer, runCommandFromPalette, statusBarText, waitUntil } from "../../test/e2e/workbench.mjs";
import { cliTimedSteps, cpuByProcessKind, cpuSummary, settle, timedSteps } from "../../test/e2e/timing.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg("--rounds", 3);
const steps = arg("--steps", 1000);
const verbose = process.argv.includes("--verbose");
const profile = process.argv.includes("--profile");
const trace = process.argv.includes("--trace");
const messages = process.argv.includes("--messages");
const vsix = path.join(repoRoot, "out", `gradscope-${JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).version}.vsix`);

if (!process.argv.includes("--no-package")) execFileSync(process.execPath, [path.join(repoRoot, "scripts", "package-vsix.mjs")], { stdio: "inherit" });
ensureCodeServer();

// The moons example with a longer loop: a few seconds per run, so the poll's granularity is small.
const scratch = mkdtempSync(path.join(os.tmpdir(), "gradscope-live-"));
const folder = path.join(scratch, "models");
mkdirSync(folder);
const model = path.join(folder, "moons-long.ts");
const source = readFileSync(path.join(repoRoot, "examples", "moons-mlp.ts"), "utf8");
writeFileSync(model, source.replace("k < 100", `k < ${steps}`).replace("k) / 100", `k) / ${steps}`));
copyFileSync(path.join(repoRoot, "examples", "chain-rule.ts"), path.join(folder, "chain-rule.ts"));

const extensionsDir = path.join(scratch, "extensions");
installVsix(vsix, extensionsDir, scratch);
const settingsArg = process.argv.indexOf("--settings");
const settings = settingsArg > 0 ? JSON.parse(process.argv[settingsArg + 1]) : {};
const server = await startCodeServer({ folder, dataDir: scratch, extensionsDir, settings, log: verbose ? (t) => process.stdout.write(`[code-server] ${t}`) : () => {} });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const statusItem = () => page.locator(".statusbar-item", { hasText: "Gradscope:" }).first();
const stepOf = async () => {
  const t = await statusBarText(page);
  return { step: Number(t.match(/step (\d+)/)?.[1] ?? 0), done: /finished|error|stopped/.test(t) };
};

/** Counts the messages the panel's page receives by type (and their typed arrays' bytes) until read. */
async function tallyPanelMessages(mode) {
  // The workbench's socket to the server (extension host ↔ renderer): frames and bytes each way.
  const cdp = await page.context().newCDPSession(page);
  const socket = { in: 0, inBytes: 0, out: 0, outBytes: 0 };
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketFrameReceived", (e) => (socket.in++, (socket.inBytes += e.response.payloadData.length)));
  cdp.on("Network.webSocketFrameSent", (e) => (socket.out++, (socket.outBytes += e.response.payloadData.length)));
  if (mode !== "visible") return async () => ({ socket });
  const frame = await findPanelFrame(page);
  await frame.evaluate(() => {
    const counts = (window.__tally = {});
    const cy = window.gradscope?.cy;
    const sizes = (counts.resizes = []);
    cy?.on("resize", () => sizes.push(`${cy.width()}x${cy.height()}`));
    counts.renders = 0;
    cy?.on("render", () => counts.renders++);
    window.addEventListener("message", (e) => {
      const m = e.data;
      const t = (counts[m?.type ?? "?"] ??= { n: 0, bytes: 0 });
      t.n++;
      for (const v of Object.values(m ?? {})) if (ArrayBuffer.isView(v)) t.bytes += v.byteLength;
      if (m?.values) for (const v of Object.values(m.values)) if (ArrayBuffer.isView(v)) t.bytes += v.byteLength;
    });
  });
  return async () => ({ socket, ...(await frame.evaluate(() => window.__tally)) });
}

/** CPU profiles of the page and of every frame in a process of its own (a webview may be one). */
async function startProfiles() {
  const sessions = [["workbench", await page.context().newCDPSession(page)]];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    try {
      sessions.push([`frame ${frame.url().slice(0, 80)}`, await page.context().newCDPSession(frame)]);
    } catch {
      // in the page's process: the page's profile covers it
    }
  }
  for (const [, s] of sessions) {
    await s.send("Profiler.enable");
    await s.send("Profiler.setSamplingInterval", { interval: 500 });
    await s.send("Profiler.start");
  }
  return sessions;
}

async function stopProfiles(sessions) {
  for (const [name, s] of sessions) {
    const { profile: p } = await s.send("Profiler.stop");
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    p.samples.forEach((id, k) => {
      const f = byId.get(id).callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + p.timeDeltas[k]);
      total += p.timeDeltas[k];
    });
    writeFileSync(path.join(os.tmpdir(), `gradscope-live-${name.split(" ")[0]}.cpuprofile`), JSON.stringify(p));
    console.log(`profile of ${name}: ${(total / 1000).toFixed(0)} ms sampled`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1000).toFixed(1).padStart(9)} ms  ${k}`);
  }
}

/** Main-thread time of the renderers by trace event (self time of complete events), from a Chromium trace. */
async function summarizeTrace(buffer) {
  const { traceEvents } = JSON.parse(buffer.toString());
  writeFileSync(path.join(os.tmpdir(), "gradscope-live.trace.json"), buffer);
  const threads = new Map();
  for (const e of traceEvents) if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const byThread = new Map();
  for (const e of traceEvents) {
    if (e.ph !== "X" || !e.dur) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  for (const [key, events] of byThread) {
    events.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // Self time: an event's duration minus its direct children's.
    const self = new Map(), stack = [];
    let top = 0;
    for (const e of events) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur);
      else top += e.dur;
      self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
      stack.push(e);
    }
    if (top < 200_000) continue;
    console.log(`trace ${threads.get(key) ?? key}: ${(top / 1000).toFixed(0)} ms in top-level events`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`${(v / 1000).toFixed(1).padStart(9)} ms  ${k}`);
  }
}

const results = { visible: [], closed: [], cli: [] };
try {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await openFileFromExplorer(page, "moons-long.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  await findPanelFrame(page);
  await waitUntil("the first step", async () => /step 1\b/.test(await statusBarText(page)), 120_000);

  for (let round = 1; round <= rounds; round++) {
    for (const mode of ["visible", "closed"]) {
      await runCommandFromPalette(page, "Gradscope: Restart");
      await waitUntil("the restarted run paused at step 1", async () => /step 1\b.*paused/.test(await statusBarText(page)), 120_000);
      if (mode === "closed") await closePanelTab(page);
      await settle();
      const before = cpuByProcessKind();
      const profiling = profile && round === 1 && mode === "visible" ? await startProfiles() : undefined;
      if (trace && round === 1 && mode === "visible") await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "viz"] });
      const tally = messages ? await tallyPanelMessages(mode) : undefined;
      await runCommandFromPalette(page, "Gradscope: Run / Continue");
      const live = await timedSteps(stepOf);
      if (tally) console.log(`panel messages during the run: ${JSON.stringify(await tally())}`);
      const cpu = cpuByProcessKind(before);
      if (profiling) await stopProfiles(profiling);
      if (trace && round === 1 && mode === "visible") await summarizeTrace(await browser.stopTracing());
      results[mode].push(live.rate);
      console.log(`round ${round} ${mode.padEnd(7)} ${live.rate.toFixed(1)} steps/s (steps ${live.from}–${live.to}) · CPU: ${cpuSummary(cpu)}`);
      if (mode === "closed") {
        await runCommandFromPalette(page, "Gradscope: Show Graph");
        await findPanelFrame(page);
      }
    }
    await settle();
    const before = cpuByProcessKind();
    const cli = await cliTimedSteps(model);
    results.cli.push(cli.rate);
    console.log(`round ${round} cli     ${cli.rate.toFixed(1)} steps/s (steps ${cli.from}–${cli.to}) · CPU: ${cpuSummary(cpuByProcessKind(before))}`);
    const r = (mode) => (results[mode][round - 1] / cli.rate).toFixed(2);
    console.log(`round ${round}: live/CLI ×${r("visible")} with the panel visible, ×${r("closed")} with it closed`);
  }
  const range = (mode) => {
    const ratios = results[mode].map((v, i) => v / results.cli[i]);
    return `×${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
  };
  console.log(`\nlive/CLI over ${rounds} rounds (${steps}-step moons, default update rate): panel visible ${range("visible")}, panel closed ${range("closed")} (issue 9 goal 3: ≥ 0.8 with the panel visible)`);
} catch (err) {
  await page.screenshot({ path: path.join(os.tmpdir(), "gradscope-live-failure.png") }).catch(() => {});
  throw err;
} finally {
  await browser.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
