// npm run bench: builds the benchmarks and prints figures (ratios against baselines measured in the same run).
import * as esbuild from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";

mkdirSync("dist/bench", { recursive: true });
const common = { bundle: true, platform: "node", target: "node20", format: "esm", logLevel: "warning", external: ["esbuild", "typescript"] };
await esbuild.build({ ...common, entryPoints: ["bench/engine.ts"], outfile: "dist/bench/engine.mjs" });
await esbuild.build({ ...common, entryPoints: ["bench/health.ts"], outfile: "dist/bench/health.mjs" });
await esbuild.build({ ...common, format: "cjs", entryPoints: ["bench/compile.ts"], outfile: "dist/bench/compile.cjs" });
await esbuild.build({ ...common, format: "cjs", entryPoints: ["bench/inProcess.ts"], outfile: "dist/bench/inProcess.cjs" });
await esbuild.build({ ...common, entryPoints: ["bench/lockstep.ts"], outfile: "dist/bench/lockstep.mjs", banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __dirname = import.meta.dirname;" } });
await esbuild.build({ ...common, entryPoints: ["bench/processTurns.ts"], outfile: "dist/bench/processTurns.mjs" });
await esbuild.build({ ...common, entryPoints: ["bench/flow.ts"], outfile: "dist/bench/flow.mjs", banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __dirname = import.meta.dirname;" } });
await esbuild.build({ ...common, entryPoints: ["bench/runner.ts"], outfile: "dist/bench/runner.mjs", banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __dirname = import.meta.dirname;" } });

const run = (title, args) => {
  console.log(`\n## ${title}`);
  execFileSync(process.execPath, args, { stdio: "inherit" });
};
// The engine runs with the worker's young-generation size (see runner/process/modelRun.ts), as user models do.
run("engine (in process, worker heap settings)", ["--max-semi-space-size=64", "dist/bench/engine.mjs"]);
run("health tracking (issue 10: detectors on a reported step vs the model's step)", ["--max-semi-space-size=64", "dist/bench/health.mjs"]);
run("compile (Gradscope's TypeScript-based compiler vs native esbuild)", ["dist/bench/compile.cjs"]);
run("runner (worker + step reporting)", ["dist/bench/runner.mjs", "dist/worker.js"]);
run("flow (issue 9 goals 2 and 4: CLI step vs in process, bytes per panel update)", ["dist/bench/flow.mjs"]);
run("lockstep (issue 9 goal 2: the model worker's step vs the same model unreported, taking turns in one process)", ["dist/bench/lockstep.mjs"]);
run("process turns (issue 9 goal 2: the CLI's step vs the same model in its own process, taking turns)", ["dist/bench/processTurns.mjs"]);
try {
  run("panel (Chromium)", ["bench/browser/panelBench.mjs"]);
} catch {
  console.log("(panel benchmark unavailable: build the webview and install Chromium first)");
}
try {
  run("live in the workbench vs the CLI (issue 9 goal 3: code-server + Chromium, the panel visible and closed)", ["bench/workbench/liveVsCli.mjs", "--rounds", "3"]);
} catch {
  console.log("(workbench benchmark unavailable: it needs Chromium and code-server — scripts/setup-code-server.sh)");
}
