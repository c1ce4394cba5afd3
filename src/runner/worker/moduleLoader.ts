import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as vm from "node:vm";
import type { CompiledModule } from "../compile/compile";
import { isFile, isRelative, resolveRelative } from "../compile/resolve";

type Namespace = Record<string, unknown>;

interface ModuleRecord {
  state: "new" | "evaluating" | "done";
  /** CommonJS's `module`; for an ES module, `exports` holds its export getters. */
  module: { exports: unknown; id: string; filename: string; loaded: boolean; require: NodeJS.Require };
  promise?: Promise<void>;
}

/**
 * Runs the compiled modules of a model in this worker, one function per file
 * (see compile/moduleFormat.ts): static imports first, in order (ES module
 * order; a module that awaits at top level makes its importers wait), each
 * module strict, with its own `__dirname`, `__filename`, `import.meta` and
 * `require`. `"gradscope"` is this worker's engine; packages and Node built-ins
 * are loaded by Node from the importing file's folder.
 */
export class ModuleLoader {
  private readonly records: ModuleRecord[];
  private readonly byFile = new Map<string, number>();

  private readonly engine: Namespace;

  constructor(private readonly modules: CompiledModule[], engine: object) {
    this.engine = engine as Namespace;
    this.records = modules.map((m, i) => {
      this.byFile.set(m.file, i);
      const exports = m.esm ? esModuleExports() : {};
      return { state: "new", module: { exports, id: m.file, filename: m.file, loaded: false, require: this.requireFrom(m.file) } };
    });
  }

  /** Evaluates the entry module. A Promise only when some module awaits at top level; otherwise everything ran when this returns. */
  run(): void | Promise<void> {
    return this.evaluate(0);
  }

  private evaluate(i: number): void | Promise<void> {
    const rec = this.records[i];
    // "evaluating" again means an import cycle: the importer sees the exports as far as they are (ES modules do too).
    if (rec.state === "done" || rec.state === "evaluating") return rec.promise;
    rec.state = "evaluating";
    const m = this.modules[i];
    if (m.kind === "json") {
      rec.module.exports = JSON.parse(m.code);
      return this.done(rec);
    }
    const fn = vm.runInThisContext(m.code, { filename: m.file, lineOffset: -1 }) as (...args: unknown[]) => unknown;
    const namespaces: unknown[] = new Array(m.imports.length);
    // Imports in order; only an async one turns the rest into a promise chain.
    const from = (k: number): void | Promise<void> => {
      for (; k < m.imports.length; k++) {
        const ref = m.imports[k];
        if (ref === null) continue;
        if ("module" in ref) {
          const pending = this.evaluate(ref.module);
          const j = ref.module;
          if (pending) return pending.then(() => ((namespaces[k] = this.namespace(j)), from(k + 1)));
          namespaces[k] = this.namespace(j);
        } else {
          const ns = this.external(ref.external, m.file);
          if (ns instanceof Promise) return ns.then((v) => ((namespaces[k] = v), from(k + 1)));
          namespaces[k] = ns;
        }
      }
      return this.execute(i, fn, namespaces);
    };
    const pending = from(0);
    if (!pending) return this.done(rec);
    rec.promise = pending.then(() => this.done(rec));
    return rec.promise;
  }

  private done(rec: ModuleRecord): void {
    rec.state = "done";
    rec.module.loaded = true;
  }

  private execute(i: number, fn: (...args: unknown[]) => unknown, namespaces: unknown[]): void | Promise<void> {
    const m = this.modules[i];
    const rec = this.records[i];
    const mod = rec.module;
    const meta = {
      url: pathToFileURL(m.file).href,
      filename: m.file,
      dirname: path.dirname(m.file),
      resolve: (specifier: string) => this.resolveUrl(specifier, m.file),
    };
    const args = [mod.exports, mod.require, mod, m.file, path.dirname(m.file), meta, (s: string) => this.dynamicImport(s, m.file), defineExports, ...namespaces];
    // Top-level `this`: undefined in an ES module, `module.exports` in CommonJS.
    const result = fn.apply(m.esm ? undefined : mod.exports, args);
    if (result instanceof Promise) return result.then(() => undefined);
  }

  /** What an importer sees: an ES module's export getters, or a CommonJS module's exports with `default`. */
  private namespace(i: number): unknown {
    const exports = this.records[i].module.exports;
    return this.modules[i].esm ? exports : interop(exports);
  }

  private external(specifier: string, fromFile: string): Namespace | Promise<Namespace> {
    if (specifier === "gradscope") return this.engine;
    try {
      return interop(createRequire(fromFile)(specifier));
    } catch (e) {
      // An ES-only package: Node 20's require() cannot load it, import() can.
      if ((e as { code?: string }).code !== "ERR_REQUIRE_ESM") throw e;
      return nativeImport(this.resolveUrl(specifier, fromFile)) as Promise<Namespace>;
    }
  }

  private requireFrom(file: string): NodeJS.Require {
    const nodeRequire = createRequire(file);
    const req = ((specifier: string) => {
      if (specifier === "gradscope") return this.engine;
      const own = this.ownModule(specifier, file);
      if (own === undefined) return nodeRequire(specifier);
      if (this.evaluate(own)) throw new Error(`require('${specifier}'): that module uses top-level await; import it instead.`);
      return this.records[own].module.exports;
    }) as NodeJS.Require;
    return Object.assign(req, { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: undefined, extensions: nodeRequire.extensions });
  }

  /** The compiled module a relative specifier names; undefined for packages and built-ins. */
  private ownModule(specifier: string, fromFile: string): number | undefined {
    if (!isRelative(specifier)) return undefined;
    const target = resolveRelative(specifier, fromFile, (f) => this.byFile.has(f) || isFile(f));
    if (target === undefined) return undefined;
    const i = this.byFile.get(target);
    if (i === undefined && !target.split(/[\\/]/).includes("node_modules"))
      throw new Error(`Cannot load '${specifier}' from ${fromFile}: Gradscope compiles the files a model imports with a literal path (import "./x", import("./x"), require("./x")).`);
    return i;
  }

  private async dynamicImport(specifier: string, fromFile: string): Promise<unknown> {
    if (specifier === "gradscope") return this.engine;
    const own = this.ownModule(specifier, fromFile);
    if (own === undefined) return isRelative(specifier) ? nativeImport(this.resolveUrl(specifier, fromFile)) : this.external(specifier, fromFile);
    await this.evaluate(own);
    return this.namespace(own);
  }

  private resolveUrl(specifier: string, fromFile: string): string {
    if (isRelative(specifier)) {
      const target = resolveRelative(specifier, fromFile, (f) => this.byFile.has(f) || isFile(f)) ?? path.resolve(path.dirname(fromFile), specifier);
      return pathToFileURL(target).href;
    }
    if (specifier.startsWith("node:")) return specifier;
    try {
      return pathToFileURL(createRequire(fromFile).resolve(specifier)).href;
    } catch {
      return specifier;
    }
  }
}

/** The exports object of an ES module: getters only, like a module namespace. */
function esModuleExports(): Namespace {
  const ns = Object.create(null) as Namespace;
  Object.defineProperty(ns, "__esModule", { value: true });
  Object.defineProperty(ns, Symbol.toStringTag, { value: "Module" });
  return ns;
}

/** `__gsExport`: live getters for a module's exports, plus `export * from` sources. */
function defineExports(target: Namespace, getters: Record<string, () => unknown>, stars: Namespace[] = []): void {
  for (const [name, get] of Object.entries(getters)) Object.defineProperty(target, name, { get, enumerable: true, configurable: true });
  for (const source of stars) {
    for (const name of Object.keys(source ?? {})) {
      if (name === "default" || name === "__esModule" || Object.prototype.hasOwnProperty.call(target, name)) continue;
      Object.defineProperty(target, name, { get: () => source[name], enumerable: true, configurable: true });
    }
  }
}

/** A CommonJS value seen from an `import`: its properties, and itself as `default` (as Node does). */
function interop(value: unknown): Namespace {
  if (value !== null && typeof value === "object" && (value as Namespace).__esModule) return value as Namespace;
  const ns: Namespace = { default: value };
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    for (const key of Object.keys(value)) if (key !== "default") Object.defineProperty(ns, key, { get: () => (value as Namespace)[key], enumerable: true });
  }
  return ns;
}

/** Node's own import(), for ES-only packages (a bundled `import()` would become require()). */
const nativeImport = new Function("url", "return import(url)") as (url: string) => Promise<unknown>;
