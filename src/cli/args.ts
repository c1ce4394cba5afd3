import { accessSync, constants, statSync, type Stats } from "node:fs";
import * as path from "node:path";
import { FINDING_KINDS, type BreakOn, type FindingKind } from "../protocol/health";

export interface CliArgs {
  help: boolean;
  file: string;
  steps?: number;
  /** --every N: report (print, check) every Nth step, and the first and the last. */
  every?: number;
  json: boolean;
  values: "leaves" | "all" | "none";
  exportFile?: string;
  timeout?: number;
  maxNodes?: number;
  memoryMb?: number;
  /** --break-on: end the run at the first hit (reason "breakpoint"). */
  breakOn?: BreakOn;
  /** --gradcheck: gradcheck events for every parameter at the last step. */
  gradcheck: boolean;
}

export const USAGE = `Usage: gradscope run <model.ts> [options]

Runs a model written against Gradscope's engine; each backward() is one step.

Options:
  --steps N              stop after N steps
  --every N              print every Nth step (and the first and the last); health
                         findings are checked on those steps and on any non-finite loss
  --json                 one JSON event per line: step, finding, break, gradcheck, error, end
  --values leaves|all|none   node values in step events (default: leaves)
  --export FILE          write the last step's graph: .json, .dot or .svg
  --timeout SECONDS      stop a model that runs longer (default: none)
  --max-nodes N          fail a step that builds more nodes (default: 2000000)
  --memory MB            the model's memory limit, typed arrays and Buffers included
                         (its process's memory above what it held before the model ran; default: 2048)
  --break-on LIST        end the run at the first hit of any of these (end reason "breakpoint"):
                         nan, loss-up:PCT, grad-above:T, or a finding kind (dead-relu, saturation,
                         vanishing, exploding, no-grad, growing-graph, not-zeroed, nan-origin);
                         e.g. --break-on nan,loss-up:50,grad-above:1e3
  --gradcheck            at the last step, check every parameter's gradient (every leaf when there
                         are none) against central differences of the replayed graph
  -h, --help             this help

Exit status: 0 success, 1 model error or timeout, 2 bad usage. A reader that
closes the pipe (| head) stops the model and ends the run quietly (status 0).
`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { help: false, file: "", json: false, values: "leaves", gradcheck: false };
  if (argv.includes("-h") || argv.includes("--help")) return { ...args, help: true };
  const [command, ...rest] = argv;
  if (command !== "run") throw new UsageError(command ? `unknown command '${command}'` : "missing command");
  const positive = (flag: string, v: string | undefined, integer = true) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} takes a positive ${integer ? "whole " : ""}number`);
    return n;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => rest[++i];
    switch (a) {
      case "--steps": args.steps = positive(a, value()); break;
      case "--every": args.every = positive(a, value()); break;
      case "--json": args.json = true; break;
      case "--values": {
        const v = value();
        if (v !== "leaves" && v !== "all" && v !== "none") throw new UsageError("--values takes leaves, all or none");
        args.values = v;
        break;
      }
      case "--export": {
        const v = value();
        if (!v || !/\.(json|dot|svg)$/i.test(v)) throw new UsageError("--export takes a file ending in .json, .dot or .svg");
        args.exportFile = v;
        break;
      }
      case "--timeout": args.timeout = positive(a, value(), false); break;
      case "--max-nodes": args.maxNodes = positive(a, value()); break;
      case "--memory": args.memoryMb = positive(a, value()); break;
      case "--break-on": args.breakOn = parseBreakOn(value()); break;
      case "--gradcheck": args.gradcheck = true; break;
      default:
        if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
        if (args.file) throw new UsageError(`one model at a time (got '${args.file}' and '${a}')`);
        args.file = a;
    }
  }
  if (!args.file) throw new UsageError("missing the model file");
  return args;
}

/** `nan,loss-up:50,grad-above:1e3,dead-relu` → BreakOn. */
export function parseBreakOn(list: string | undefined): BreakOn {
  if (!list) throw new UsageError("--break-on takes a list like nan,loss-up:50,grad-above:1e3");
  const out: BreakOn = {};
  for (const item of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, arg] = item.split(":", 2);
    const num = () => {
      const n = Number(arg);
      if (arg === undefined || arg === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--break-on ${name} takes a positive number: ${name}:${name === "loss-up" ? "50" : "1e3"}`);
      return n;
    };
    if (name === "nan" && arg === undefined) out.nan = true;
    else if (name === "loss-up") out.lossUpPct = num();
    else if (name === "grad-above") out.gradAbove = num();
    else if ((FINDING_KINDS as readonly string[]).includes(name) && arg === undefined) (out.findings ??= []).push(name as FindingKind);
    else throw new UsageError(`--break-on: unknown condition '${item}' (nan, loss-up:PCT, grad-above:T, or a finding kind: ${FINDING_KINDS.join(", ")})`);
  }
  return out;
}

/** Checks the files the arguments name before anything runs: a run must not end in a usage error. */
export function checkPaths(args: CliArgs): void {
  const model = stat(args.file);
  if (!model) throw new UsageError(`no such file: ${args.file}`);
  if (model.isDirectory()) throw new UsageError(`${args.file} is a directory: give the model's .ts file`);
  if (!model.isFile()) throw new UsageError(`${args.file} is not a file`);
  if (!args.exportFile) return;
  const dir = path.dirname(path.resolve(args.exportFile));
  const d = stat(dir);
  if (!d) throw new UsageError(`--export: no such directory: ${dir}`);
  if (!d.isDirectory()) throw new UsageError(`--export: not a directory: ${dir}`);
  if (stat(args.exportFile)?.isDirectory()) throw new UsageError(`--export: ${args.exportFile} is a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--export: cannot write in ${dir}`);
  }
}

function stat(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
