#!/usr/bin/env node
// Extension-host tests in a real VS Code: code-server + headless Chromium, the way
// @vscode/test-electron would run them in desktop VS Code (see runTestElectron.mjs).
// Builds and stages the extension, then runs each suite in its own fresh workbench:
//   trusted   — a trusted folder with the examples and fixtures
//   untrusted — the same folder in Restricted Mode
//   multiroot — a workspace of two folders, one with its own Gradscope settings
// Exits with the tests' code. Screenshots of the workbench go to /tmp/gradscope-shots/.
// GRADSCOPE_EXTENSION_PATH=<staged extension> runs the suites against another build (e.g. an
// older commit's out/stage/gradscope, to see which tests fail there).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ensureCodeServer, repoRoot, startCodeServer } from "./codeServer.mjs";

const SHOTS = "/tmp/gradscope-shots";
const SUITE_TIMEOUT_MS = 8 * 60_000;
// The workbench's own chatter (this machine cannot reach open-vsx.org); --verbose shows it.
const WORKBENCH_NOISE = [/open-vsx\.org/, /connection token/, /^Creating a socket/, /^Updating additional builtin/, /^\[Service Worker\]/, /^ChatSessionStore/];
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const verbose = process.argv.includes("--verbose");
const started = Date.now();

// --no-stage reuses out/stage/gradscope as it is (quick reruns while editing the tests).
if (!process.argv.includes("--no-stage")) {
  execFileSync(process.execPath, [path.join(repoRoot, "scripts", "package-vsix.mjs"), "--stage-only"], { stdio: "inherit" });
}
// The extension and the suites type-check strictly (their own tsconfigs: host code has no DOM).
execFileSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "test/vscode/tsconfig.json", "--noEmit"], { cwd: repoRoot, stdio: "inherit" });
const extensionPath = process.env.GRADSCOPE_EXTENSION_PATH ?? path.join(repoRoot, "out", "stage", "gradscope");
const testsOut = path.join(repoRoot, "out", "test", "vscode");
await esbuild.build({
  entryPoints: { trusted: "test/vscode/suite/trusted.ts", untrusted: "test/vscode/suite/untrusted.ts", multiroot: "test/vscode/suite/multiroot.ts" },
  absWorkingDir: repoRoot,
  outdir: testsOut,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  external: ["vscode"],
  logLevel: "warning",
});
ensureCodeServer();
mkdirSync(SHOTS, { recursive: true });

const suites = [
  { name: "trusted", trusted: true },
  { name: "untrusted", trusted: false },
  { name: "multiroot", trusted: true, multiRoot: true },
].filter((s) => !only.length || only.includes(s.name));

let failed = 0;
for (const suite of suites) {
  const code = await runSuite(suite);
  console.log(`[${suite.name}] exit code ${code}`);
  if (code !== 0) failed++;
}
console.log(`extension-host tests: ${suites.length - failed}/${suites.length} suites passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);

async function runSuite({ name, trusted, multiRoot = false }) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `gradscope-vscode-${name}-`));
  const workspace = multiRoot ? multiRootWorkspace(scratch) : path.join(scratch, "workspace");
  if (!multiRoot) {
    mkdirSync(workspace);
    for (const dir of ["examples", "test/vscode/fixtures"]) {
      for (const f of readdirSync(path.join(repoRoot, dir))) if (f.endsWith(".ts")) cpSync(path.join(repoRoot, dir, f), path.join(workspace, f));
    }
  }
  const server = await startCodeServer({
    folder: workspace,
    dataDir: scratch,
    extensionsDir: path.join(scratch, "extensions"),
    trusted,
    log: verbose ? (t) => process.stdout.write(`[code-server] ${t}`) : () => {},
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let resolveExit;
    const exit = new Promise((r) => (resolveExit = r));
    await page.exposeFunction("codeAutomationLog", (type, args) => {
      const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
      if (!verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
      (type === "error" ? console.error : console.log)(text);
    });
    await page.exposeFunction("codeAutomationExit", (code) => resolveExit(Number(code)));
    if (verbose) page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ["extensionDevelopmentPath", remote(extensionPath)],
      ["extensionTestsPath", remote(path.join(testsOut, `${name}.js`))],
      ["skipWelcome", "true"],
    ];
    const open = multiRoot ? `workspace=${encodeURIComponent(workspace)}` : `folder=${encodeURIComponent(workspace)}`;
    await page.goto(`${server.url}/?${open}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise((r) => setTimeout(() => r("timeout"), SUITE_TIMEOUT_MS));
    const code = await Promise.race([exit, timeout]);
    await page.screenshot({ path: path.join(SHOTS, `vscode-${name}.png`) }).catch(() => {});
    if (code === "timeout") {
      console.error(`[${name}] no result within ${SUITE_TIMEOUT_MS / 1000} s`);
      return 1;
    }
    return code;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** alpha/ and beta/ with chain-rule.ts each; beta has its own settings. Returns the .code-workspace file. */
function multiRootWorkspace(scratch) {
  for (const name of ["alpha", "beta"]) {
    mkdirSync(path.join(scratch, name, ".vscode"), { recursive: true });
    cpSync(path.join(repoRoot, "examples", "chain-rule.ts"), path.join(scratch, name, "chain-rule.ts"));
  }
  writeFileSync(path.join(scratch, "beta", ".vscode", "settings.json"), JSON.stringify({ "gradscope.collapseThreshold": 7, "gradscope.inlineValues": false }, null, 2));
  const file = path.join(scratch, "models.code-workspace");
  writeFileSync(file, JSON.stringify({ folders: [{ path: "alpha" }, { path: "beta" }], settings: {} }, null, 2));
  return file;
}
