/**
 * A model run in this thread, as compiled for the worker (instrumented) or
 * not, with or without the reporter: the baselines of the runner benchmark's
 * step ratios. Usage: node dist/bench/inProcess.cjs <model.ts> [plain-bundle.cjs] --report none|leaves|all
 */
import * as gradscope from "../src/engine";
import { engine } from "../src/engine/context";
import "../src/engine/instrument";
import { compileModel } from "../src/runner/compile/compile";
import { Reporter } from "../src/runner/worker/reporter";
import { ModuleLoader } from "../src/runner/worker/moduleLoader";

async function main(): Promise<void> {
  const file = process.argv[2];
  const reportArg = process.argv.indexOf("--report");
  const report = reportArg > 0 ? (process.argv[reportArg + 1] as "none" | "leaves" | "all" | "off") : "off";
  const r = await compileModel(file);
  if (!r.ok) throw new Error(r.error.message);
  if (report !== "off") {
    const reporter = new Reporter(r.model.locations);
    engine.recordUpdates = true;
    engine.onBackward = () => {
      reporter.report(report);
      engine.updates.length = 0;
    };
  }
  await new ModuleLoader(r.model.modules, gradscope).run();
}
void main();
