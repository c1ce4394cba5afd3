import { statSync } from "node:fs";
import * as path from "node:path";

/**
 * Where a relative import of the user's points: the compiler follows these
 * (and compiles them), the worker's loader uses the same rules for `require()`
 * and `import()` at run time. Like TypeScript: `./x.js` may mean `./x.ts`;
 * `./x` tries each extension, then `./x/index.*`.
 */
export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json"];

/** True for specifiers the user's own files resolve ("./x", "../x", "/abs/x"); the rest go to Node. */
export function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === ".." || path.isAbsolute(specifier);
}

/** The file a relative specifier names, or undefined. `exists` is injectable so unsaved editors can count as files. */
export function resolveRelative(specifier: string, fromFile: string, exists: (file: string) => boolean = isFile): string | undefined {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const ext = path.extname(target);
  const candidates: string[] = [];
  // TypeScript's convention: import "./x.js" for x.ts.
  const tsFor: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".jsx": [".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] };
  if (tsFor[ext]) for (const e of tsFor[ext]) candidates.push(target.slice(0, -ext.length) + e);
  if (SOURCE_EXTENSIONS.includes(ext)) candidates.push(target);
  for (const e of SOURCE_EXTENSIONS) candidates.push(target + e);
  for (const e of SOURCE_EXTENSIONS) candidates.push(path.join(target, `index${e}`));
  return candidates.find(exists);
}

export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Files under node_modules are packages: Node loads them, Gradscope does not rewrite them. */
export function isPackageFile(file: string): boolean {
  return file.split(/[\\/]/).includes("node_modules");
}
