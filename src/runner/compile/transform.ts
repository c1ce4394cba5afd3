import ts from "typescript";
import type { SourceLocation } from "../../protocol/graph";
import { Edits, type LineMap } from "./edits";
import { Instrumenter } from "./instrument";
import { maskLiterals } from "./mask";
import { moduleParams } from "./moduleFormat";
import { ModuleRewriter, type ModuleShape } from "./modules";
import { Stripper, UnsupportedSyntax } from "./strip";
import { walk } from "./walk";

export interface TransformedModule {
  /** The module function's source (see moduleFormat.ts): line N + 1 is the user's line N. */
  code: string;
  /** Columns of the user's lines that moved (lines never move). */
  map: LineMap;
  shape: ModuleShape;
  /** Locations of the `__gs.at` statements, numbered from the `base` given. */
  locations: SourceLocation[];
  /** False for a file that builds no Values (a data module): it runs as written. */
  instrumented: boolean;
}

export type TransformResult = { ok: true; module: TransformedModule } | { ok: false; message: string; line: number; column: number };

/**
 * One user file → one module function: parse once with TypeScript, walk the
 * tree once (iteratively), and apply the edits of three visitors in one pass —
 * the type stripper, the module rewriter and the instrumenter.
 */
export function transformModule(file: string, text: string, base: number, nextLoopId: () => number): TransformResult {
  const masked = maskLiterals(text);
  let sf: ts.SourceFile;
  try {
    sf = ts.createSourceFile(file, masked, ts.ScriptTarget.Latest, true, scriptKind(file));
  } catch (e) {
    // The parser is recursive descent: only absurd nesting gets here (`((((…))))` thousands deep).
    if (e instanceof RangeError) return { ok: false, message: "This file nests expressions too deeply to compile.", line: 1, column: 1 };
    throw e;
  }
  const syntax = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics?.[0];
  if (syntax) return { ok: false, message: ts.flattenDiagnosticMessageText(syntax.messageText, "\n"), ...position(sf, syntax.start ?? 0) };

  const edits = new Edits(masked);
  const instrumentEdits = new Edits(masked);
  const stripper = new Stripper(sf, edits);
  const modules = new ModuleRewriter(sf, edits);
  const instrumenter = new Instrumenter(sf, instrumentEdits, base, nextLoopId);
  try {
    walk(
      sf,
      (node, depth) => {
        if (stripper.visit(node, depth)) return false;
        const descend = modules.enter(node, depth);
        instrumenter.enter(node, depth);
        return descend;
      },
      (node, depth) => {
        instrumenter.leave(node, depth);
        modules.leave(node);
      },
    );
  } catch (e) {
    if (e instanceof UnsupportedSyntax) return { ok: false, message: e.message, ...position(sf, e.node.getStart(sf)) };
    throw e;
  }
  const shape = modules.finish();
  const instrumented = instrumenter.runsCode;
  if (instrumented) edits.merge(instrumentEdits);
  const { text: body, map } = edits.apply(text);
  const params = moduleParams(shape.topLevel, shape.imports.length).join(", ");
  const code = `(${shape.async ? "async " : ""}function (${params}) {"use strict";${shape.header}\n${body}\n})`;
  return { ok: true, module: { code, map, shape, locations: instrumented ? instrumenter.locations : [], instrumented } };
}

function scriptKind(file: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

function position(sf: ts.SourceFile, pos: number): { line: number; column: number } {
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return { line: line + 1, column: character + 1 };
}
