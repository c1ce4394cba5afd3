import { writeFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { NodeKind, OPS } from "../protocol/ops";
import { edgeCount, snapshotToJSON, type Snapshot } from "../protocol/graph";
import type { ModelError } from "../protocol/run";
import { ModelSession } from "../runner/session";
import { toDot, toSvg } from "../runner/export/graphExport";
import { parseArgs, UsageError, USAGE, type CliArgs } from "./args";
import { ProgressLine } from "./progress";

/** `gradscope run <model.ts>`: the headless front end of the runner. Exit 0 ok, 1 model error, 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gradscope: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!existsSync(args.file)) {
    process.stderr.write(`gradscope: no such file: ${args.file}\n`);
    return 2;
  }
  const session = new ModelSession({ file: args.file, maxSteps: args.steps, throttleMs: 0, timeoutSeconds: args.timeout, maxNodesPerStep: args.maxNodes, memoryLimitMb: args.memoryMb });
  const out = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
  const progress = new ProgressLine(args.steps, process.stdout.isTTY === true && !args.json);
  let last: Snapshot | undefined;

  const done = new Promise<number>((resolve) => {
    session.onEvent((e) => {
      switch (e.type) {
        case "graph":
          last = e.snapshot;
          if (args.json) out(stepEvent(e.snapshot, args.values));
          else progress.step(e.snapshot.step, e.snapshot.loss, e.snapshot.topology.op.length);
          break;
        case "console":
          (args.json || e.level === "error" || e.level === "warn" ? process.stderr : process.stdout).write(progress.interrupt() + e.text + "\n");
          break;
        case "warning":
          process.stderr.write(`${progress.interrupt()}warning: ${e.message}${e.loc ? ` (${rel(e.loc.file)}:${e.loc.line})` : ""}\n`);
          break;
        case "end": {
          if (e.error) {
            if (args.json) out(errorEvent(e.error));
            else process.stderr.write(progress.interrupt() + humanError(e.error));
          }
          if (args.json) out({ event: "end", steps: e.steps, reason: e.reason });
          else process.stdout.write(progress.finish(e.steps, e.reason));
          resolve(e.reason === "error" || e.reason === "timeout" ? 1 : 0);
          break;
        }
      }
    });
  });
  await session.start();
  const code = await done;
  session.dispose();
  if (args.exportFile && last) writeFileSync(args.exportFile, exportText(last, args.exportFile));
  else if (args.exportFile) process.stderr.write("gradscope: nothing to export: the model never called backward()\n");
  return code;
}

function stepEvent(s: Snapshot, which: CliArgs["values"]) {
  const t = s.topology;
  const values: object[] = [];
  if (which !== "none") {
    for (let i = 0; i < t.op.length; i++) {
      if (which === "leaves" && t.kind[i] === NodeKind.value) continue;
      values.push({ id: i, label: t.label[i], op: OPS[t.op[i]].name, data: num(s.values.data[i]), grad: num(s.values.grad[i]) });
    }
  }
  return { event: "step", step: s.step, loss: num(s.loss), nodes: t.op.length, edges: edgeCount(t), values };
}

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
  if (ext === ".dot") return toDot(s);
  if (ext === ".svg") return toSvg(s);
  return JSON.stringify(snapshotToJSON(s)) + "\n";
}

const rel = (f: string) => path.relative(process.cwd(), f) || f;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`gradscope: internal error: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
