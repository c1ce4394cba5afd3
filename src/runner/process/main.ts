/**
 * The runner process (dist/runner.js): the model's own OS process, forked by
 * the host's ModelSession. Its main thread never runs user code: it compiles
 * the model, runs it in a worker thread (dist/worker.js, beside this file),
 * and relays what the worker says after checking it. The IPC channel to the
 * host belongs to this thread; worker threads have no process.send.
 */
import * as os from "node:os";
import * as path from "node:path";
import { HostCommandSchema, type RunnerMessage } from "../../protocol/runner";
import { compileModel } from "../compile/compile";
import { ModelRun } from "./modelRun";

let run: ModelRun | undefined;

const send = (msg: RunnerMessage, written?: () => void) => {
  if (!process.connected) return;
  process.send!(msg, undefined, undefined, written ? (err) => (err ? exitNow() : written()) : undefined);
};

function exitNow(): void {
  process.exit(0);
}

process.on("message", (raw) => {
  const parsed = HostCommandSchema.safeParse(raw);
  if (!parsed.success) return;
  const cmd = parsed.data;
  switch (cmd.type) {
    case "run/start":
      if (run) return;
      // The model's folder is its working directory (readFileSync("./data.csv") means its own data); an unsaved model has none.
      try {
        process.chdir(path.dirname(cmd.spec.file));
      } catch {
        /* keep the host's */
      }
      run = new ModelRun(cmd.spec, { send }, path.join(__dirname, "worker.js"), () => process.disconnect());
      void run.start();
      return;
    case "insight/request":
      return run?.insightRequest(cmd.request);
    case "health/configure":
      return run?.configureHealth(cmd);
    case "control/gate":
      return run?.gate(cmd.steps);
    case "control/hold":
      return run?.holdForHost(cmd.on);
    case "console/ack":
      return run?.consoleAck();
    case "view/subscribe":
      return run?.subscribe({ hash: cmd.hash, expanded: cmd.expanded, nodes: cmd.nodes });
    case "view/unsubscribe":
      return run?.subscribe(undefined);
    case "view/ack":
      return run?.viewAck();
  }
});

// The host went away (it stopped the run, or it exited): so do we, and the model with us.
process.on("disconnect", exitNow);

// A spare waits for a run it does not know yet: warm the compiler up meanwhile (its first call is
// several times slower than the next), so the run it gets starts as fast as in a long-lived host.
if (process.argv.includes("--spare")) void compileModel(path.join(os.tmpdir(), "gradscope-warm-up.ts"), 'import { Value } from "gradscope";\nconst a = new Value(1);\na.mul(2).backward();\n');
