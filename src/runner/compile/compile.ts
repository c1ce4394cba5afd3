import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { SourceLocation } from "../../protocol/graph";
import type { ModelError } from "../../protocol/run";
import { instrument } from "./instrument";

export interface CompiledModel {
  /** CommonJS code; `require("gradscope")` is left for the worker to answer with its engine. */
  code: string;
  /** Source map of `code` back to the user's TypeScript. */
  map: string;
  /** Statement locations referenced by the inserted `__gs.at(N)` calls. */
  locations: SourceLocation[];
  /** The bundle's virtual file name, as it appears in stack traces. */
  bundleFile: string;
}

export type CompileResult = { ok: true; model: CompiledModel } | { ok: false; error: ModelError };

/**
 * Bundles the user's model with esbuild (async: esbuild compiles in its own
 * process, so the caller never blocks). `source` replaces the entry file's text
 * on disk, for unsaved editors.
 */
export async function compileModel(file: string, source?: string): Promise<CompileResult> {
  const entry = path.resolve(file);
  const locations: SourceLocation[] = [];
  const bundleFile = path.join(path.dirname(entry), `${path.basename(entry)}.gradscope.js`);
  const userFiles: esbuild.Plugin = {
    name: "gradscope-instrument",
    setup(build) {
      // An unsaved (untitled) editor's file does not exist on disk: its text is the entry.
      if (source !== undefined) build.onResolve({ filter: /.*/ }, (args) => (args.kind === "entry-point" ? { path: entry } : undefined));
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = args.path === entry && source !== undefined ? source : await readFile(args.path, "utf8");
        const loader = /\.[cm]?tsx?$/.test(args.path) ? (args.path.endsWith("x") ? "tsx" : "ts") : args.path.endsWith("x") ? "jsx" : "js";
        // Let esbuild report syntax errors against the user's own text, not ours.
        const syntaxOk = await esbuild.transform(text, { loader, logLevel: "silent" }).then(() => true, () => false);
        return { contents: syntaxOk ? instrument(text, args.path, locations) : text, loader };
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: bundleFile,
      sourcemap: "external",
      sourcesContent: false,
      external: ["gradscope"],
      plugins: [userFiles],
      logLevel: "silent",
    });
    const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
    return { ok: true, model: { code, map, locations, bundleFile } };
  } catch (e) {
    return { ok: false, error: compileError(e, entry) };
  }
}

function compileError(e: unknown, entry: string): ModelError {
  const first = (e as esbuild.BuildFailure).errors?.[0];
  if (!first) return { kind: "compile", message: String((e as Error)?.message ?? e), file: entry };
  const loc = first.location;
  return {
    kind: "compile",
    message: first.text,
    file: loc ? path.resolve(loc.file) : entry,
    line: loc?.line,
    column: loc ? loc.column + 1 : undefined,
  };
}
