import type { SourceLocation } from "../../protocol/graph";
import type { ModelError } from "../../protocol/run";
import type { Thrown } from "../../protocol/worker";
import type { CompiledModel } from "../compile/compile";
import { StackMapper } from "../worker/stackTrace";

/**
 * Turns what the worker says was thrown into the error the user sees. Every
 * file, line and column comes from the compiler's own tables (its modules'
 * line maps, its statement locations), never from a string the worker sent
 * alone: a frame counts only if it names one of the model's compiled files. A
 * model that forges a message can change the text, not point the editor at
 * another file.
 */
export class ModelErrors {
  private stacks: StackMapper | undefined;

  constructor(private readonly compiled: CompiledModel) {}

  /** The compiler's location of statement `loc`, or undefined when the index is not one of its own. */
  location(loc: number): SourceLocation | undefined {
    return Number.isInteger(loc) && loc >= 0 ? this.compiled.locations[loc] : undefined;
  }

  fromThrown(kind: ModelError["kind"], thrown: Thrown): ModelError {
    const fallback = this.location(thrown.loc);
    if (thrown.stack === undefined) return { kind, message: thrown.message, ...where(fallback) };
    // Frames map only within the compiler's own modules: a file no module has is no location.
    this.stacks ??= new StackMapper(this.compiled.modules);
    const error = Object.assign(thrown.name === "SyntaxError" ? new SyntaxError(thrown.message) : new Error(thrown.message), { stack: thrown.stack });
    return { ...this.stacks.toModelError(error, kind, fallback), message: thrown.message };
  }

  /** An error found from outside the model (memory, time, a dead thread), at the statement it was running. */
  at(kind: ModelError["kind"], message: string, loc: number): ModelError {
    return { kind, message, ...where(this.location(loc)) };
  }
}

const where = (l: SourceLocation | undefined) => (l ? { file: l.file, line: l.line, column: l.column } : {});
