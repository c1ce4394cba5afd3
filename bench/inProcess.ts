/**
 * A model run in this thread, as compiled for the worker (instrumented) or
 * not, with or without the reporter and the health detectors as the worker runs
 * them: the baselines of the runner benchmark's step ratios.
 * Usage: node dist/bench/inProcess.cjs <model.ts> [--report none|leaves|all] [--health]
 */
import * as gradscope from "../src/engine";
import { engine } from "../src/engine/context";
import "../src/engine/instrument";
import { compileModel } from "../src/runner/compile/compile";
import { Reporter } from "../src/runner/worker/reporter";
import { ModuleLoader } from "../src/runner/worker/moduleLoader";
import { WorkerHealth } from "../src/analysis/health/inWorker";

async function main(): Promise<void> {
  const file = process.argv[2];
  const reportArg = process.argv.indexOf("--report");
  const report = reportArg > 0 ? (process.argv[reportArg + 1] as "none" | "leaves" | "all" | "off") : "off";
  const r = await compileModel(file);
  if (!r.ok) throw new Error(r.error.message);
  if (report !== "off") {
    const reporter = new Reporter(r.model.locations);
    const health = process.argv.includes("--health") ? new WorkerHealth(undefined, () => {}, () => {}) : null;
    engine.recordUpdates = true;
    engine.onBackward = (root) => {
      health?.mustReport(engine.steps, root.data);
      const rep = reporter.report(report);
      engine.updates.length = 0;
      health?.check(engine.steps, rep, () => reporter.numbersInPlace());
      health?.flush();
    };
  }
  await new ModuleLoader(r.model.modules, gradscope).run();
}
void main();
