import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import * as path from "node:path";
import type { SourceLocation } from "../../protocol/graph";
import type { ModelError } from "../../protocol/run";

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** Maps errors thrown in the bundle back to the user's TypeScript lines. */
export class StackMapper {
  private readonly map: TraceMap;
  private readonly dir: string;

  constructor(mapJson: string, private readonly bundleFile: string) {
    this.map = new TraceMap(mapJson);
    this.dir = path.dirname(bundleFile);
  }

  /** A user-facing error: message, the first user frame's location, and the user frames as a stack. */
  toModelError(err: unknown, kind: ModelError["kind"], fallback?: SourceLocation): ModelError {
    const e = err instanceof Error ? err : undefined;
    const message = e ? `${e.name}: ${e.message}` : `Uncaught ${safeString(err)}`;
    const frames = this.userFrames(e?.stack ?? "");
    const at = frames[0]?.loc ?? fallback;
    return {
      kind,
      message,
      ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
      stack: frames.map((f) => `    at ${f.fn ? `${f.fn} (` : ""}${f.loc.file}:${f.loc.line}:${f.loc.column}${f.fn ? ")" : ""}`).join("\n") || undefined,
    };
  }

  private userFrames(stack: string): { fn?: string; loc: SourceLocation }[] {
    const out: { fn?: string; loc: SourceLocation }[] = [];
    for (const line of stack.split("\n")) {
      const m = FRAME.exec(line);
      if (!m || m[2] !== this.bundleFile) continue;
      const pos = originalPositionFor(this.map, { line: Number(m[3]), column: Number(m[4]) - 1 });
      if (pos.source === null || pos.line === null) continue;
      out.push({ fn: m[1] || undefined, loc: { file: path.resolve(this.dir, pos.source), line: pos.line, column: (pos.column ?? 0) + 1 } });
    }
    return out;
  }
}

function safeString(x: unknown): string {
  try {
    return typeof x === "string" ? JSON.stringify(x) : String(x);
  } catch {
    return "a value that cannot be printed";
  }
}
