import ts from "typescript";
import type { Edits } from "./edits";
import { importParam } from "./moduleFormat";

/**
 * ES module syntax → the loader's module function (see moduleFormat.ts), by
 * text edits that keep lines:
 *  - import declarations are blanked; each reference to an imported binding
 *    becomes `__gsIk.name` (a live binding), found with a small scope tracker
 *    so a local of the same name is left alone;
 *  - `export` keywords are blanked and the exported names become getters on
 *    `exports`, defined before the module body runs;
 *  - `import.meta` → `__gsMeta`, `import(x)` → `__gsImport(x)`;
 *  - top-level `await` makes the module function async.
 * Imports whose bindings are only used as types are dropped, as TypeScript does.
 */
export interface ModuleShape {
  /** Static imports in source order; `imports[k]` is `__gsIk`. Null: only its types were used, so it is not loaded. */
  imports: (string | null)[];
  /** Where each import's specifier is written (for "cannot find module" errors). */
  importPositions: number[];
  /** Literal specifiers of `import()` and `require()`: compiled too, loaded on demand. */
  dynamic: string[];
  /** The module has import/export syntax (its namespace is its getters); otherwise it is CommonJS-style. */
  esm: boolean;
  /** The module awaits at top level. */
  async: boolean;
  /** Names declared at top level (the loader's parameters must not clash with them). */
  topLevel: Set<string>;
  /** Code for the wrapper's first line: defines the export getters. */
  header: string;
}

interface Slot {
  specifier: string;
  index: number;
  used: boolean;
  pos: number;
}

interface Binding {
  slot: Slot;
  /** Property of the namespace, or null for `import * as ns`. */
  name: string | null;
}

const SK = ts.SyntaxKind;

export class ModuleRewriter {
  private readonly slots = new Map<string, Slot>();
  private readonly order: Slot[] = [];
  private readonly bindings = new Map<string, Binding>();
  private readonly shadowed = new Map<string, number>();
  private readonly scopes: { node: ts.Node; names: string[] }[] = [];
  private readonly hoisted = new Map<ts.Node, string[]>();
  private readonly getters: string[] = [];
  private readonly stars: Slot[] = [];
  private readonly dynamic: string[] = [];
  private readonly topLevel = new Set<string>();
  private esm = false;
  private async = false;
  private functionDepth = 0;

  constructor(private readonly sf: ts.SourceFile, private readonly edits: Edits) {
    for (const s of sf.statements) {
      declaredNames(s, this.topLevel);
      if (ts.isImportDeclaration(s)) this.collectImport(s);
    }
    if (this.bindings.size) this.findHoistedVars();
  }

  enter(node: ts.Node, depth: number): boolean {
    if (ts.isFunctionLike(node)) this.functionDepth++;
    if (this.bindings.size) this.enterScope(node);
    switch (node.kind) {
      case SK.ImportDeclaration:
        this.edits.blankStatement(node.getStart(this.sf), node.end);
        return false;
      case SK.ExportDeclaration:
        this.exportDeclaration(node as ts.ExportDeclaration);
        return false;
      case SK.ExportAssignment:
        this.exportDefault(node as ts.ExportAssignment);
        return true;
      case SK.VariableStatement:
      case SK.FunctionDeclaration:
      case SK.ClassDeclaration:
        if (node.parent === this.sf) this.exportedDeclaration(node as ts.VariableStatement | ts.FunctionDeclaration | ts.ClassDeclaration, depth);
        return true;
      case SK.MetaProperty:
        if ((node as ts.MetaProperty).keywordToken === SK.ImportKeyword) {
          this.edits.replace(node.getStart(this.sf), node.end, "__gsMeta");
          return false;
        }
        return true;
      case SK.CallExpression:
        this.call(node as ts.CallExpression);
        return true;
      case SK.AwaitExpression:
        if (this.functionDepth === 0) this.async = true;
        return true;
      case SK.ForOfStatement:
        if ((node as ts.ForOfStatement).awaitModifier && this.functionDepth === 0) this.async = true;
        return true;
      case SK.Identifier:
        if (this.bindings.size) this.reference(node as ts.Identifier);
        return false;
    }
    return true;
  }

  leave(node: ts.Node): void {
    if (ts.isFunctionLike(node)) this.functionDepth--;
    const top = this.scopes[this.scopes.length - 1];
    if (top?.node === node) {
      this.scopes.pop();
      for (const n of top.names) this.shadowed.set(n, this.shadowed.get(n)! - 1);
    }
  }

  finish(): ModuleShape {
    const stars = this.stars.map((s) => importParam(s.index));
    const header = this.esm ? `__gsExport(arguments[0], {${this.getters.join(", ")}}${stars.length ? `, [${stars.join(", ")}]` : ""});` : "";
    return { imports: this.order.map((s) => (s.used ? s.specifier : null)), importPositions: this.order.map((s) => s.pos), dynamic: this.dynamic, esm: this.esm, async: this.async, topLevel: this.topLevel, header };
  }

  // ---- imports

  private slot(literal: ts.Expression): Slot {
    const specifier = (literal as ts.StringLiteral).text;
    let s = this.slots.get(specifier);
    if (!s) {
      s = { specifier, index: this.order.length, used: false, pos: literal.getStart(this.sf) };
      this.slots.set(specifier, s);
      this.order.push(s);
    }
    return s;
  }

  private slotRef(s: Slot): string {
    return importParam(s.index);
  }

  private collectImport(node: ts.ImportDeclaration): void {
    this.esm = true;
    const clause = node.importClause;
    if (clause?.isTypeOnly) return;
    const slot = this.slot(node.moduleSpecifier);
    // `import "./x"` runs x for its side effects; otherwise x loads only if a binding is used as a value.
    if (!clause) slot.used = true;
    if (clause?.name) this.bindings.set(clause.name.text, { slot, name: "default" });
    const named = clause?.namedBindings;
    if (named && ts.isNamespaceImport(named)) this.bindings.set(named.name.text, { slot, name: null });
    else if (named) {
      for (const e of named.elements) if (!e.isTypeOnly) this.bindings.set(e.name.text, { slot, name: moduleExportName(e.propertyName ?? e.name) });
    }
  }

  private bindingText(b: Binding): string {
    b.slot.used = true;
    const ns = this.slotRef(b.slot);
    return b.name === null ? ns : /^[A-Za-z_$][\w$]*$/.test(b.name) ? `${ns}.${b.name}` : `${ns}[${JSON.stringify(b.name)}]`;
  }

  private reference(id: ts.Identifier): void {
    const b = this.bindings.get(id.text);
    if (!b || (this.shadowed.get(id.text) ?? 0) > 0 || !isReference(id)) return;
    const parent = id.parent;
    let text = this.bindingText(b);
    if (ts.isShorthandPropertyAssignment(parent)) text = `${id.text}: ${text}`;
    // `f()` for an imported f calls it without a `this`, as ES modules do.
    else if (b.name !== null && ((ts.isCallExpression(parent) && parent.expression === id) || (ts.isTaggedTemplateExpression(parent) && parent.tag === id))) text = `(0, ${text})`;
    this.edits.replace(id.getStart(this.sf), id.end, text);
  }

  // ---- exports

  private exportDeclaration(node: ts.ExportDeclaration): void {
    this.esm = true;
    this.edits.blankStatement(node.getStart(this.sf), node.end);
    if (node.isTypeOnly) return;
    const from = node.moduleSpecifier ? this.slot(node.moduleSpecifier) : undefined;
    const clause = node.exportClause;
    if (from) from.used = true;
    if (!clause) {
      this.stars.push(from!);
      return;
    }
    if (ts.isNamespaceExport(clause)) {
      this.getters.push(`${JSON.stringify(moduleExportName(clause.name))}: () => ${this.slotRef(from!)}`);
      return;
    }
    for (const e of clause.elements) {
      if (e.isTypeOnly) continue;
      const local = moduleExportName(e.propertyName ?? e.name);
      const exported = JSON.stringify(moduleExportName(e.name));
      if (from) this.getters.push(`${exported}: () => ${this.slotRef(from)}[${JSON.stringify(local)}]`);
      else {
        const b = this.bindings.get(local);
        this.getters.push(`${exported}: () => ${b ? this.bindingText(b) : local}`);
      }
    }
  }

  private exportDefault(node: ts.ExportAssignment): void {
    this.esm = true;
    const start = node.getStart(this.sf);
    const text = this.sf.text;
    const m = /^export(\s+)default\b/.exec(text.slice(start, node.expression.getStart(this.sf)));
    if (!m) return;
    this.edits.blank(start, start + 6);
    this.edits.replace(start + 6 + m[1].length, start + m[0].length, "const __gsDefault =");
    this.getters.push(`"default": () => __gsDefault`);
  }

  private exportedDeclaration(node: ts.VariableStatement | ts.FunctionDeclaration | ts.ClassDeclaration, depth: number): void {
    const mods = ts.getModifiers(node) ?? [];
    const exp = mods.find((m) => m.kind === SK.ExportKeyword);
    if (!exp) return;
    this.esm = true;
    const def = mods.find((m) => m.kind === SK.DefaultKeyword);
    this.edits.blank(exp.getStart(this.sf), exp.end);
    if (def) this.edits.blank(def.getStart(this.sf), def.end);
    if (ts.isVariableStatement(node)) {
      const names = new Set<string>();
      for (const d of node.declarationList.declarations) bindingNames(d.name, names);
      for (const n of names) this.getters.push(`${JSON.stringify(n)}: () => ${n}`);
      return;
    }
    let name = node.name?.text;
    if (!name) {
      // `export default function () {}`: give it a name to export.
      name = "__gsDefault";
      const at = ts.isFunctionDeclaration(node)
        ? (node.typeParameters ? node.typeParameters.pos : node.parameters.pos) - 1
        : node.getStart(this.sf) + /class\b/.exec(this.sf.text.slice(node.getStart(this.sf), node.end))!.index + 5;
      this.edits.open(at, ` ${name}`, depth);
    }
    this.getters.push(`${JSON.stringify(def ? "default" : name)}: () => ${name}`);
  }

  // ---- dynamic loading

  private call(node: ts.CallExpression): void {
    const callee = node.expression;
    const arg = node.arguments[0];
    const literal = arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
    if (callee.kind === SK.ImportKeyword) {
      this.edits.replace(callee.getStart(this.sf), callee.end, "__gsImport");
      if (literal !== undefined) this.dynamic.push(literal);
    } else if (ts.isIdentifier(callee) && callee.text === "require" && literal !== undefined) this.dynamic.push(literal);
  }

  // ---- scopes: which references are the imported binding, and which a local of the same name

  private enterScope(node: ts.Node): void {
    const names: string[] = [];
    const add = (n: string) => this.bindings.has(n) && !names.includes(n) && names.push(n);
    if (ts.isFunctionLike(node)) {
      const fn = node as ts.SignatureDeclaration;
      for (const p of fn.parameters) {
        const s = new Set<string>();
        bindingNames(p.name, s);
        s.forEach(add);
      }
      if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) add(node.name.text);
      this.hoisted.get(node)?.forEach(add);
    } else if (ts.isClassExpression(node) && node.name) add(node.name.text);
    else if (ts.isBlock(node) || ts.isCaseBlock(node) || ts.isModuleBlock(node)) {
      const statements = ts.isCaseBlock(node) ? node.clauses.flatMap((c) => c.statements) : node.statements;
      for (const s of statements) {
        const set = new Set<string>();
        lexicalNames(s, set);
        set.forEach(add);
      }
    } else if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
      if (node.initializer.flags & ts.NodeFlags.BlockScoped) {
        const set = new Set<string>();
        for (const d of node.initializer.declarations) bindingNames(d.name, set);
        set.forEach(add);
      }
    } else if (ts.isCatchClause(node) && node.variableDeclaration) {
      const set = new Set<string>();
      bindingNames(node.variableDeclaration.name, set);
      set.forEach(add);
    }
    if (!names.length) return;
    this.scopes.push({ node, names });
    for (const n of names) this.shadowed.set(n, (this.shadowed.get(n) ?? 0) + 1);
  }

  /** `var x` inside a function shadows an import named x in the whole function: find those before walking. */
  private findHoistedVars(): void {
    const visit = (node: ts.Node): void => {
      const stack = [node];
      while (stack.length) {
        const n = stack.pop()!;
        if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) {
          const names = new Set<string>();
          for (const d of n.declarations) bindingNames(d.name, names);
          const shadowing = [...names].filter((x) => this.bindings.has(x));
          if (shadowing.length) {
            const fn = ts.findAncestor(n, ts.isFunctionLike);
            if (fn) this.hoisted.set(fn, [...(this.hoisted.get(fn) ?? []), ...shadowing]);
          }
        }
        ts.forEachChild(n, (c) => {
          stack.push(c);
        });
      }
    };
    visit(this.sf);
  }
}

function moduleExportName(n: ts.ModuleExportName): string {
  return n.text;
}

/** Is this identifier a read or write of a variable (not a property name, label, declaration name, …)? */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  switch (p.kind) {
    case SK.PropertyAccessExpression:
      return (p as ts.PropertyAccessExpression).expression === id;
    case SK.QualifiedName:
    case SK.LabeledStatement:
    case SK.BreakStatement:
    case SK.ContinueStatement:
    case SK.ImportSpecifier:
    case SK.ExportSpecifier:
    case SK.ImportClause:
    case SK.NamespaceImport:
    case SK.NamespaceExport:
    case SK.MetaProperty:
      return false;
    case SK.PropertyAssignment:
    case SK.PropertyDeclaration:
    case SK.MethodDeclaration:
    case SK.GetAccessor:
    case SK.SetAccessor:
    case SK.EnumMember:
    case SK.FunctionDeclaration:
    case SK.FunctionExpression:
    case SK.ClassDeclaration:
    case SK.ClassExpression:
      return (p as ts.NamedDeclaration).name !== id;
    case SK.VariableDeclaration:
    case SK.Parameter:
    case SK.BindingElement:
      return (p as ts.VariableDeclaration).initializer === id;
    case SK.ShorthandPropertyAssignment:
      // `{ x }` reads x; `({ x } = obj)` assigns to it, which an import cannot be.
      return (p as ts.ShorthandPropertyAssignment).name === id;
  }
  return true;
}

/** Names a binding pattern declares. */
export function bindingNames(name: ts.BindingName, out: Set<string>): void {
  const stack: ts.BindingName[] = [name];
  while (stack.length) {
    const n = stack.pop()!;
    if (ts.isIdentifier(n)) out.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) stack.push(e.name);
  }
}

/** Block-scoped names a statement declares directly (let, const, class, function). */
function lexicalNames(s: ts.Statement, out: Set<string>): void {
  if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.BlockScoped) for (const d of s.declarationList.declarations) bindingNames(d.name, out);
  else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) out.add(s.name.text);
}

/** Every name a top-level statement declares, `var` and imports included. */
function declaredNames(s: ts.Statement, out: Set<string>): void {
  if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bindingNames(d.name, out);
  else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) out.add(s.name.text);
  else if (ts.isImportDeclaration(s) && s.importClause) {
    const c = s.importClause;
    if (c.name) out.add(c.name.text);
    if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) out.add(c.namedBindings.name.text);
    else if (c.namedBindings) for (const e of c.namedBindings.elements) out.add(e.name.text);
  }
}
