import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";

/**
 * Starts runner processes (dist/runner.js). fork() runs process.execPath: in
 * desktop VS Code that is Electron, and fork sets ELECTRON_RUN_AS_NODE itself,
 * so no `node` needs to be on PATH. The child's stdout/stderr are piped to us
 * (raw writes by the model, e.g. fs.writeSync(1)), never inherited: the CLI's
 * stdout carries JSON. execArgv is empty so a host's own flags (--inspect,
 * test loaders) do not leak into the model's process.
 */
export function forkRunner(script: string, spare = false): ChildProcess {
  return fork(script, spare ? ["--spare"] : [], {
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    execArgv: [],
    // The model's own folder is set by the runner once it knows the model (a spare starts before that).
  });
}

/**
 * The runner script for a session. Callers written before the runner process
 * existed pass dist/worker.js; the runner is built beside it.
 */
export function runnerScriptFor(script: string): string {
  return path.basename(script) === "worker.js" ? path.join(path.dirname(script), "runner.js") : script;
}

/**
 * One idle runner process kept ready for the next run, so a restart skips
 * starting Node, loading the compiler and warming it up (a spare compiles a
 * tiny model while it waits). Opt-in: the extension wants it, a one-shot CLI
 * does not. An idle spare does not keep its host alive and exits when the
 * host does.
 */
const spares = new Map<string, ChildProcess>();

/** A runner for a new run: the spare if one is ready, else a new process. */
export function takeRunner(script: string): ChildProcess {
  const child = spares.get(script);
  spares.delete(script);
  if (child && child.exitCode === null && child.signalCode === null && child.connected) {
    ref(child, true);
    return child;
  }
  return forkRunner(script);
}

/**
 * Starts the spare for the next run, if there is none. Call it once the current run is past its
 * own start-up (first step, or its end): a spare that starts at the same moment slows it down.
 */
export function prepareSpare(script: string): void {
  if (spares.has(script)) return;
  const spare = forkRunner(script, true);
  ref(spare, false);
  spare.once("exit", () => spares.get(script) === spare && spares.delete(script));
  spare.on("error", () => spares.get(script) === spare && spares.delete(script));
  spares.set(script, spare);
}

/** Ends the idle spare processes (for hosts that are shutting down). */
export function disposeSpares(): void {
  for (const c of spares.values()) c.kill();
  spares.clear();
}

function ref(child: ChildProcess, on: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[];
  for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
}
