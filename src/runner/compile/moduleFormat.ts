/**
 * How a compiled module is shaped, shared by the compiler (which writes it)
 * and the worker's module loader (which calls it): each module is one function
 * whose first line is ours and whose following lines are the user's, line for
 * line.
 *
 *   (function (exports, require, module, __filename, __dirname, __gsMeta, __gsImport, __gsExport, __gsI0, __gsI1, …) {"use strict";__gsExport(arguments[0], {…}, […]);
 *   <the user's code, types blanked, imports/exports rewritten, instrumented>
 *   })
 *
 * `__gsIk` is the namespace object of the module's k-th static import (the
 * loader evaluates those first, in order). An ES module's exports are getters,
 * so imports stay live bindings.
 */
export const MODULE_PARAMS = ["exports", "require", "module", "__filename", "__dirname", "__gsMeta", "__gsImport", "__gsExport"] as const;

/** The parameter names of a module function; a name the module declares itself at top level is replaced (`const require = createRequire(…)` is common in ES modules). */
export function moduleParams(topLevelNames: ReadonlySet<string>, imports: number): string[] {
  const params: string[] = MODULE_PARAMS.map((p, i) => (topLevelNames.has(p) ? `__gsUnused${i}` : p));
  for (let i = 0; i < imports; i++) params.push(importParam(i));
  return params;
}

export function importParam(i: number): string {
  return `__gsI${i}`;
}

/** Where a module's static import goes: another compiled module, or something Node loads ("gradscope" is the engine). */
export type ModuleRef = { module: number } | { external: string };
