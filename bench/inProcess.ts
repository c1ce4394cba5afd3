/**
 * A model run in this thread, as compiled for the worker (instrumented) or
 * not, with or without the reporter and the health detectors as the worker runs
 * them: the baselines of the runner benchmark's step ratios. Started as a worker
 * by bench/lockstep.ts instead (workerData as the model worker's: the model's
 * file, the step gate), it also waits after each step while held there.
 * Usage: node dist/bench/inProcess.cjs <model.ts> [--report none|leaves|all] [--health]
 */
import { workerData } from "node:worker_threads";
import * as gradscope from "../src/engine";
import { engine } from "../src/engine/context";
import "../src/engine/instrument";
import { compileModel } from "../src/runner/compile/compile";
import { Reporter } from "../src/runner/worker/reporter";
import { ModuleLoader } from "../src/runner/worker/moduleLoader";
import { WorkerHealth } from "../src/analysis/health/inWorker";
import { Ctl, waitWhileHeld } from "../src/runner/control";

async function main(): Promise<void> {
  const init = workerData as { control?: SharedArrayBuffer; entryFile: string } | null;
  const lockstep = init?.control;
  const file = lockstep ? init!.entryFile : process.argv[2];
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
  if (lockstep) {
    const ctl = new Int32Array(lockstep);
    engine.onBackward = () => Atomics.load(ctl, Ctl.HOLD) !== 0 && waitWhileHeld(ctl);
  }
  await new ModuleLoader(r.model.modules, gradscope).run();
}
void main();
