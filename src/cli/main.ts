import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { NodeKind, OPS } from "../protocol/ops";
import { edgeCount, type Snapshot } from "../protocol/graph";
import type { ModelError } from "../protocol/run";
import { ModelSession } from "../runner/session";
import type { SessionEvent } from "../runner/types";
import { snapshotToDot } from "../graph/dotExport";
import { snapshotJsonText } from "../graph/snapshotJson";
import { snapshotToSvg } from "../graph/svgExport";
import { nodeName } from "../graph/nodeName";
import { checkPaths, parseArgs, UsageError, USAGE, type CliArgs } from "./args";
import { ProgressLine } from "./progress";
import { StreamWriter } from "./streamWriter";
import { gradcheckNodes, gradcheckTargets } from "../analysis/gradcheck";
import type { Break, Finding } from "../protocol/health";

/**
 * `gradscope run <model.ts>`: the headless front end of the runner. Exit 0 ok,
 * 1 model error or timeout, 2 bad usage. Every event is written whole, `end`
 * is always the last one, and the process exits only once its output has
 * reached the OS; a reader that goes away (`| head`) ends the run quietly.
 */
async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
    if (!args.help) checkPaths(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gradscope: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const out = new StreamWriter(process.stdout);
  const err = new StreamWriter(process.stderr);
  const session = new ModelSession(
    {
      file: path.resolve(args.file), maxSteps: args.steps, throttleMs: 0, reportEvery: args.every, timeoutSeconds: args.timeout, maxNodesPerStep: args.maxNodes, memoryLimitMb: args.memoryMb,
      // The CLI never goes back in time: each step's numbers can die young instead of filling a ring.
      historySnapshots: 1,
      // Only the numbers we print cross from the model's process; an export needs them all.
      values: args.exportFile || args.gradcheck ? "all" : args.json ? args.values : "none",
      // The step lines do not print the optimizer's updates; an exported graph has them.
      updates: args.exportFile !== undefined,
      // Findings always; breakpoints only when asked (a script's run must not end early by default).
      health: { breakOn: args.breakOn ?? {} },
    },
    path.join(__dirname, "runner.js"),
  );
  // A slow reader holds the model at its next backward() instead of queueing steps here.
  out.onBackedUp = (behind) => session.hold(behind);
  const progress = new ProgressLine(args.steps, process.stdout.isTTY === true && !args.json);
  let last: Snapshot | undefined;
  let broke = false;
  const steps = new StepEvents(args.values);

  const done = new Promise<number>((resolve) => {
    out.whenClosed(() => {
      session.stop();
      resolve(0);
    });
    session.onEvent((e) => {
      if (out.closed) return;
      const code = onEvent(e);
      if (code !== undefined) resolve(code);
    });
  });

  function onEvent(e: SessionEvent): number | undefined {
    switch (e.type) {
      case "graph":
        last = e.snapshot;
        if (args.json) out.event(steps.line(e.snapshot) + "\n");
        else out.event(progress.step(e.snapshot.step, e.snapshot.loss, e.snapshot.topology.op.length));
        return;
      case "console":
        if (args.json || e.level === "error" || e.level === "warn") err.output(progress.interrupt() + e.text + "\n");
        else out.output(progress.interrupt() + e.text + "\n");
        return;
      case "warning":
        err.event(`${progress.interrupt()}warning: ${e.message}${e.loc ? ` (${rel(e.loc.file)}:${e.loc.line})` : ""}\n`);
        return;
      case "finding":
        if (args.json) out.event(JSON.stringify(findingEvent(e.finding)) + "\n");
        else err.event(`${progress.interrupt()}${where(e.finding.location)}${e.finding.kind} at step ${e.finding.step}: ${e.finding.detail}\n`);
        return;
      case "break":
        if (broke) return;
        broke = true;
        if (args.json) out.event(JSON.stringify(breakEvent(e.brk, last)) + "\n");
        else out.event(`${progress.interrupt()}${where(e.brk.location)}breakpoint (${e.brk.kind}) at step ${e.brk.step}: ${e.brk.message}\n`);
        // The model is paused at the hit: end the run there.
        session.stop();
        return;
      case "end":
        if (args.gradcheck) writeGradcheck(last, args.json, out);
        if (e.error) {
          if (args.json) out.event(JSON.stringify(errorEvent(e.error)) + "\n");
          else err.event(progress.interrupt() + humanError(e.error));
        }
        const reason = broke && e.reason === "stopped" ? "breakpoint" : e.reason;
        if (args.json) out.event(JSON.stringify({ event: "end", steps: e.steps, reason, ...(e.detail ? { detail: e.detail } : {}) }) + "\n");
        else out.event(progress.finish(e.steps, reason as typeof e.reason, e.detail));
        return e.reason === "error" || e.reason === "timeout" ? 1 : 0;
    }
  }

  await session.start();
  let code = await done;
  session.dispose();
  if (args.exportFile && !out.closed) code = exportGraph(args.exportFile, last, err) ?? code;
  await Promise.all([out.flush(), err.flush()]);
  return code;
}

/** Writes the last step's graph; returns 1 if that failed. */
function exportGraph(file: string, last: Snapshot | undefined, err: StreamWriter): number | undefined {
  if (!last) {
    err.event("gradscope: nothing to export: the model never called backward()\n");
    return undefined;
  }
  try {
    writeFileSync(file, exportText(last, file));
    return undefined;
  } catch (e) {
    err.event(`gradscope: could not write ${file}: ${(e as Error).message}\n`);
    return 1;
  }
}

/**
 * `{"event":"step","step","loss","nodes","edges","values":[{"id","label","op","data","grad"}…]}` lines. What
 * depends on the shape only (which nodes, their ids, labels and ops, the edge count) is written once per shape:
 * a step then costs its numbers, not a pass over every node of the graph (65k on moons).
 */
class StepEvents {
  private shape: { hash: string; ids: Int32Array; heads: string[]; edges: number } | undefined;
  constructor(private readonly which: CliArgs["values"]) {}

  line(s: Snapshot): string {
    const t = s.topology;
    if (this.shape?.hash !== t.hash) this.shape = this.shapeOf(t);
    const { ids, heads, edges } = this.shape;
    const { data, grad } = s.values;
    const values: string[] = new Array(ids.length);
    for (let j = 0; j < ids.length; j++) values[j] = `${heads[j]}${json(data[ids[j]])},"grad":${json(grad[ids[j]])}}`;
    return `{"event":"step","step":${s.step},"loss":${json(s.loss)},"nodes":${t.op.length},"edges":${edges},"values":[${values.join(",")}]}`;
  }

  private shapeOf(t: Snapshot["topology"]) {
    const ids: number[] = [];
    if (this.which !== "none") for (let i = 0; i < t.op.length; i++) if (this.which === "all" || t.kind[i] !== NodeKind.value) ids.push(i);
    const heads = ids.map((i) => `{"id":${i},"label":${JSON.stringify(t.label[i])},"op":${JSON.stringify(OPS[t.op[i]].name)},"data":`);
    return { hash: t.hash, ids: Int32Array.from(ids), heads, edges: edgeCount(t) };
  }
}

/** A number as JSON, through num(): NaN and ±Infinity as strings ("NaN", "Infinity"). */
const json = (x: number) => JSON.stringify(num(x));

/** `{"event":"finding","kind","step","label","op","file","line","detail"}` (issue 10), plus the node's index in the step's graph. */
function findingEvent(f: Finding) {
  return { event: "finding", kind: f.kind, step: f.step, label: f.label, op: f.op, file: f.location ? rel(f.location.file) : undefined, line: f.location?.line, node: f.node, detail: f.detail };
}

function breakEvent(b: Break, s: Snapshot | undefined) {
  const label = s && b.node >= 0 && b.node < s.topology.op.length && s.step === b.step ? nodeName(s.topology, b.node) : undefined;
  return { event: "break", kind: b.kind, step: b.step, label, file: b.location ? rel(b.location.file) : undefined, line: b.location?.line, node: b.node, message: b.message };
}

/** --gradcheck: every parameter (or leaf) of the last step, by replaying its graph. */
function writeGradcheck(s: Snapshot | undefined, json: boolean, out: StreamWriter): void {
  if (!s) return;
  const { rows } = gradcheckNodes(s.topology, s.values.data, s.values.grad, gradcheckTargets(s.topology));
  for (const r of rows) {
    if (json) out.event(JSON.stringify({ event: "gradcheck", step: s.step, node: r.node, label: r.label, analytic: num(r.analytic), numeric: num(r.numeric), relError: num(r.relError), flagged: r.flagged }) + "\n");
    else out.event(`gradcheck ${r.flagged ? "FAIL" : "ok  "} ${r.label}: analytic ${r.analytic}, numeric ${r.numeric}, relative error ${r.relError.toExponential(2)}\n`);
  }
}

const where = (l: { file: string; line: number } | undefined) => (l ? `${rel(l.file)}:${l.line}: ` : "");

/** JSON has no NaN or Infinity: those are written as strings. */
const num = (x: number) => (Number.isFinite(x) ? x : String(x));

function errorEvent(e: ModelError) {
  return { event: "error", kind: e.kind, message: e.message, file: e.file ? rel(e.file) : undefined, line: e.line, column: e.column };
}

function humanError(e: ModelError): string {
  const where = e.file ? `${rel(e.file)}${e.line ? `:${e.line}:${e.column ?? 1}` : ""}: ` : "";
  return `${where}error: ${e.message}\n${e.stack ? e.stack + "\n" : ""}`;
}

function exportText(s: Snapshot, file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".dot") return snapshotToDot(s);
  if (ext === ".svg") return snapshotToSvg(s);
  return snapshotJsonText(s);
}

const rel = (f: string) => path.relative(process.cwd(), f) || f;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`gradscope: internal error: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
