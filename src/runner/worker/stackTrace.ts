import type { SourceLocation } from "../../protocol/graph";
import type { ModelError } from "../../protocol/run";
import { type LineMap, mapPosition } from "../compile/edits";

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
/** First line of a SyntaxError thrown while V8 compiles a module: `/path/model.ts:3`. */
const SYNTAX_HEADER = /^(.*):(\d+)$/;

/**
 * Maps errors thrown in the user's modules back to their TypeScript lines and
 * columns. Each module runs under its own file's path with its lines unmoved,
 * so a frame's file and line are already the user's; only columns that the
 * compiler's insertions moved are mapped back. Frames of other files (Node,
 * the engine) are dropped from what the user sees.
 */
export class StackMapper {
  private readonly maps = new Map<string, LineMap>();

  constructor(modules: readonly { file: string; map: LineMap }[]) {
    for (const m of modules) this.maps.set(m.file, m.map);
  }

  /** A user-facing error: message, the first user frame's location, and the user frames as a stack. */
  toModelError(err: unknown, kind: ModelError["kind"], fallback?: SourceLocation): ModelError {
    const e = err instanceof Error ? err : undefined;
    const message = e ? `${e.name}: ${e.message}` : `Uncaught ${safeString(err)}`;
    const stack = e?.stack ?? "";
    const frames = this.userFrames(stack);
    const at = frames[0]?.loc ?? (e instanceof SyntaxError ? this.syntaxLocation(stack) : undefined) ?? fallback;
    return {
      kind,
      message,
      ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
      stack: frames.map((f) => `    at ${f.fn ? `${f.fn} (` : ""}${f.loc.file}:${f.loc.line}:${f.loc.column}${f.fn ? ")" : ""}`).join("\n") || undefined,
    };
  }

  /** A 1-based position in a module's output → the user's 1-based position; undefined outside user code. */
  map(file: string, line: number, column: number): SourceLocation | undefined {
    const map = this.maps.get(file);
    // Line 0 is the module wrapper's own first line.
    if (!map || line < 1) return undefined;
    const p = mapPosition(map, line - 1, column - 1);
    return { file, line: p.line + 1, column: p.column + 1 };
  }

  private userFrames(stack: string): { fn?: string; loc: SourceLocation }[] {
    const out: { fn?: string; loc: SourceLocation }[] = [];
    for (const line of stack.split("\n")) {
      const m = FRAME.exec(line);
      const loc = m && this.map(m[2], Number(m[3]), Number(m[4]));
      if (loc) out.push({ fn: m[1] || undefined, loc });
    }
    return out;
  }

  private syntaxLocation(stack: string): SourceLocation | undefined {
    const m = SYNTAX_HEADER.exec(stack.split("\n")[0]);
    if (!m) return undefined;
    // The caret line under the code marks the column.
    const caret = stack.split("\n")[2]?.indexOf("^") ?? -1;
    return this.map(m[1], Number(m[2]), caret >= 0 ? caret + 1 : 1);
  }
}

function safeString(x: unknown): string {
  try {
    return typeof x === "string" ? JSON.stringify(x) : String(x);
  } catch {
    return "a value that cannot be printed";
  }
}
