#!/usr/bin/env node
// What activating Gradscope costs a TypeScript user who never runs a model: the time to load
// dist/extension.js and call activate(), and the memory it leaves behind — now, and for a
// baseline built from another commit (default: the commit before the runner became lazy).
//
//   node test/vscode/measureActivation.mjs [--baseline <git-ref>] [--runs N]
//
// Each measurement is a fresh Node process (nothing cached) with a stand-in `vscode` module;
// runs alternate between the two bundles so machine load hits both alike. Prints medians and
// ranges, and the ratios. It is a measurement, not a test: no thresholds.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";
import { repoRoot } from "./codeServer.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const baselineRef = arg("--baseline", "ed6117e");
const runs = Number(arg("--runs", "7"));
const outDir = path.join(repoRoot, "out", "activation");
mkdirSync(outDir, { recursive: true });

// The bundles: the extension as built now, and the baseline's, both built the same way (scripts/build.mjs's options).
const buildOptions = { bundle: true, platform: "node", target: "node20", format: "cjs", external: ["vscode", "esbuild", "typescript"], logLevel: "warning" };
await esbuild.build({ ...buildOptions, entryPoints: [path.join(repoRoot, "src/extension/extension.ts")], outfile: path.join(outDir, "current-extension.js") });
// A baseline may import packages this checkout no longer installs: leave them out of the bundle
// (the probe stubs them), which makes the baseline's figures, if anything, a little low.
const require = createRequire(path.join(repoRoot, "package.json"));
const externalIfMissing = {
  name: "external-if-missing",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      try {
        require.resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};
const checkout = mkdtempSync(path.join(os.tmpdir(), "gradscope-baseline-"));
try {
  execFileSync("bash", ["-c", `git -C "${repoRoot}" archive "${baselineRef}" src webview tsconfig.json | tar -x -C "${checkout}"`]);
  await esbuild.build({
    ...buildOptions,
    entryPoints: [path.join(checkout, "src/extension/extension.ts")],
    outfile: path.join(outDir, "baseline-extension.js"),
    nodePaths: [path.join(repoRoot, "node_modules")],
    plugins: [externalIfMissing],
  });
} finally {
  rmSync(checkout, { recursive: true, force: true });
}

// Every vscode.* name the extension (now or at the baseline) uses.
const VSCODE_NAMES = ["CodeLens", "DecorationRangeBehavior", "Diagnostic", "DiagnosticSeverity", "Disposable", "EventEmitter", "FileType", "Hover", "MarkdownString", "Position", "Range", "StatusBarAlignment", "TextEditorRevealType", "ThemeColor", "Uri", "ViewColumn", "commands", "languages", "window", "workspace", "extensions", "env"];

// One measurement, in a fresh process: require the bundle, call activate(), collect garbage, read memory.
const probe = path.join(outDir, "probe.cjs");
writeFileSync(
  probe,
  `
const Module = require("node:module");
const path = require("node:path");
// A stand-in for the vscode API: every member is a callable, constructible no-op; lists are empty.
const EMPTY = new Set(["activeTextEditor", "workspaceFolders"]);
const LISTS = new Set(["visibleTextEditors", "textDocuments", "all"]);
const handler = {
  get(_t, prop) {
    if (prop === Symbol.toPrimitive) return () => "";
    if (prop === Symbol.iterator) return function* () {};
    if (prop === "then" || EMPTY.has(prop)) return undefined;
    if (LISTS.has(prop)) return [];
    return fake();
  },
  set: () => true,
  apply: () => fake(),
  construct: () => fake(),
};
function fake() { return new Proxy(function () {}, handler); }
// A plain object at the top: the bundle copies the module's own keys (esbuild's __toESM).
const NAMESPACES = ${JSON.stringify(VSCODE_NAMES)};
const vscode = Object.fromEntries(NAMESPACES.map((name) => [name, fake()]));
const load = Module._load;
const stubbed = new Set();
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  try {
    return load.call(this, request, ...rest);
  } catch (err) {
    if (err.code !== "MODULE_NOT_FOUND" || request.startsWith(".")) throw err;
    stubbed.add(request); // a package the baseline used that is no longer installed
    return fake();
  }
};

const bundle = process.argv[2];
global.gc(); global.gc();
const before = process.memoryUsage();
const t0 = performance.now();
const ext = require(bundle);
const t1 = performance.now();
const memento = { get: () => undefined, update: async () => {}, keys: () => [] };
ext.activate({ subscriptions: [], extensionPath: ${JSON.stringify(repoRoot)}, extensionUri: vscode.Uri, workspaceState: memento, globalState: memento });
const t2 = performance.now();
global.gc(); global.gc();
const after = process.memoryUsage();
const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](typescript|esbuild)[\\\\/]/.test(k)).map((k) => k.split(/node_modules[\\\\/]/).pop().split(/[\\\\/]/)[0]);
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, heapMb: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMb: (after.rss - before.rss) / 2 ** 20, loaded: [...new Set(loaded)], stubbed: [...stubbed] }));
`,
);

const bundles = { baseline: path.join(outDir, "baseline-extension.js"), current: path.join(outDir, "current-extension.js") };
const samples = { baseline: [], current: [] };
for (let i = 0; i < runs; i++) {
  for (const name of i % 2 ? ["current", "baseline"] : ["baseline", "current"]) {
    const r = spawnSync(process.execPath, ["--expose-gc", probe, bundles[name]], { cwd: repoRoot, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${name} probe failed: ${r.stderr}`);
    samples[name].push(JSON.parse(r.stdout));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const stat = (name, key) => samples[name].map((s) => (key === "totalMs" ? s.loadMs + s.activateMs : s[key]));
console.log(`activation of dist/extension.js with a stand-in vscode, ${runs} fresh processes each (baseline ${baselineRef} vs this tree)`);
for (const key of ["totalMs", "loadMs", "activateMs", "heapMb", "rssMb"]) {
  const b = stat("baseline", key);
  const c = stat("current", key);
  const ratio = median(c) / median(b);
  console.log(`  ${key.padEnd(11)} baseline median ${median(b).toFixed(1)} (${range(b)})   now median ${median(c).toFixed(1)} (${range(c)})   now/baseline ${ratio.toFixed(2)}`);
}
console.log(`  modules loaded at activation: baseline [${samples.baseline[0].loaded.join(", ") || "none of typescript, esbuild"}]   now [${samples.current[0].loaded.join(", ") || "none of typescript, esbuild"}]`);
for (const name of ["baseline", "current"]) {
  if (samples[name][0].stubbed.length) console.log(`  (${name}: not installed here, stubbed: ${samples[name][0].stubbed.join(", ")})`);
}
