import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { SourceLocation } from "../../protocol/graph";
import type { ModelError } from "../../protocol/run";
import type { LineMap } from "./edits";
import type { ModuleRef } from "./moduleFormat";
import { isFile, isPackageFile, isRelative, resolveRelative } from "./resolve";

/** One of the user's files, compiled (see moduleFormat.ts for the function's shape). */
export interface CompiledModule {
  /** Absolute path of the user's file: also the file name its frames carry in stack traces. */
  file: string;
  /** "js": a module function; "json": the file's text, parsed by the loader. */
  kind: "js" | "json";
  code: string;
  /** Columns that moved on the user's lines (lines never move); see edits.ts. */
  map: LineMap;
  /** Has import/export syntax: importers see its export getters. Otherwise importers see `module.exports` (CommonJS style). */
  esm: boolean;
  /** Awaits at top level: its function is async, and its importers wait for it. */
  async: boolean;
  /** Static imports, in order: parameter `__gsIk` gets `imports[k]`'s namespace; null = not loaded (only its types were used). */
  imports: (ModuleRef | null)[];
  /** False for a file that builds no Values (e.g. a data module): it runs exactly as written. */
  instrumented: boolean;
}

export interface CompiledModel {
  /** Every user file the model loads; modules[0] is the entry. */
  modules: CompiledModule[];
  /** Statement locations referenced by the inserted `__gs.at(N)` calls, across all modules. */
  locations: SourceLocation[];
}

export type CompileResult = { ok: true; model: CompiledModel } | { ok: false; error: ModelError };

/**
 * Compiles the user's model: the entry file and every file it imports
 * relatively (statically, or through a literal `import()`/`require()`), each
 * to its own module function. Pure JavaScript (TypeScript's parser), no child
 * process, no native binary. `source` replaces the entry file's text on disk,
 * for unsaved editors (the file need not exist).
 */
export async function compileModel(file: string, source?: string): Promise<CompileResult> {
  const entry = path.resolve(file);
  // TypeScript loads on first compile, not with this module: the extension host may import it without compiling.
  const { transformModule } = await import("./transform");
  const modules: CompiledModule[] = [];
  const locations: SourceLocation[] = [];
  const index = new Map<string, number>([[entry, 0]]);
  const queue = [entry];
  let loops = 0;
  const nextLoopId = () => loops++;
  const exists = (f: string) => f === entry && source !== undefined;
  const resolve = (specifier: string, from: string) => resolveRelative(specifier, from, (f) => exists(f) || isFile(f));
  const add = (f: string): number => {
    let i = index.get(f);
    if (i === undefined) {
      i = index.size;
      index.set(f, i);
      queue.push(f);
    }
    return i;
  };

  for (let q = 0; q < queue.length; q++) {
    const current = queue[q];
    let text: string;
    try {
      text = current === entry && source !== undefined ? source : await readFile(current, "utf8");
    } catch (e) {
      return fail({ message: `Cannot read ${current}: ${(e as Error).message}`, file: current });
    }
    if (current.endsWith(".json")) {
      try {
        JSON.parse(text);
      } catch (e) {
        return fail({ message: `Invalid JSON: ${(e as Error).message}`, file: current, line: 1, column: 1 });
      }
      modules[q] = { file: current, kind: "json", code: text, map: {}, esm: false, async: false, imports: [], instrumented: false };
      continue;
    }
    const result = transformModule(current, text, locations.length, nextLoopId);
    if (!result.ok) return fail({ message: result.message, file: current, line: result.line, column: result.column });
    const { code, map, shape, instrumented } = result.module;
    locations.push(...result.module.locations);
    const imports: (ModuleRef | null)[] = [];
    for (let k = 0; k < shape.imports.length; k++) {
      const specifier = shape.imports[k];
      if (specifier === null) imports.push(null);
      else if (!isRelative(specifier)) imports.push({ external: specifier });
      else {
        const target = resolve(specifier, current);
        if (!target) return fail({ message: `Cannot find module '${specifier}'`, file: current, ...lineColumn(text, shape.importPositions[k]) });
        imports.push(isPackageFile(target) ? { external: target } : { module: add(target) });
      }
    }
    // import("./x") and require("./x"): compiled now, evaluated when the code asks.
    for (const specifier of shape.dynamic) {
      const target = isRelative(specifier) ? resolve(specifier, current) : undefined;
      if (target && !isPackageFile(target)) add(target);
    }
    modules[q] = { file: current, kind: "js", code, map, esm: shape.esm, async: shape.async, imports, instrumented };
  }
  return { ok: true, model: { modules, locations } };
}

function fail(e: Omit<ModelError, "kind">): CompileResult {
  return { ok: false, error: { kind: "compile", ...e } };
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  return { line, column: pos - before.lastIndexOf("\n") };
}
