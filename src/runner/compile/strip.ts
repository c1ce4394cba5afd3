import ts from "typescript";
import type { Edits } from "./edits";

/**
 * TypeScript → JavaScript by blanking: type annotations, type-only
 * declarations and modifiers become spaces, so every remaining token keeps its
 * line and column. The list of cases follows ts-blank-space (Bloomberg, Apache
 * 2.0), written here as one iterative visitor so deep expressions cannot
 * overflow the stack.
 *
 * Syntax that has run-time meaning beyond its types (enum, value namespaces,
 * `import x = require()`, `export =`, decorators, JSX) throws UnsupportedSyntax:
 * the compiler reports it at the user's line.
 */
export class UnsupportedSyntax extends Error {
  constructor(readonly node: ts.Node, what: string) {
    super(`Gradscope cannot run ${what} yet.`);
  }
}

const SK = ts.SyntaxKind;
const ERASED_MODIFIERS = new Set([SK.AbstractKeyword, SK.DeclareKeyword, SK.OverrideKeyword, SK.PrivateKeyword, SK.ProtectedKeyword, SK.PublicKeyword, SK.ReadonlyKeyword]);
const PARAMETER_PROPERTY = new Set([SK.PrivateKeyword, SK.ProtectedKeyword, SK.PublicKeyword, SK.ReadonlyKeyword, SK.OverrideKeyword]);

export class Stripper {
  constructor(private readonly sf: ts.SourceFile, private readonly edits: Edits) {}

  private get src(): string {
    return this.sf.text;
  }

  /** Blanks what `node` has of types. True when the whole node was blanked (do not visit it further). */
  visit(node: ts.Node, depth: number): boolean {
    switch (node.kind) {
      case SK.InterfaceDeclaration:
      case SK.TypeAliasDeclaration:
        this.blankStatement(node);
        return true;
      case SK.VariableStatement:
        return this.declared(node as ts.VariableStatement);
      case SK.VariableDeclaration: {
        const d = node as ts.VariableDeclaration;
        if (d.exclamationToken) this.blankNode(d.exclamationToken);
        if (d.type) this.blankType(d.type);
        return false;
      }
      case SK.CallExpression:
      case SK.NewExpression:
      case SK.ExpressionWithTypeArguments:
      case SK.TaggedTemplateExpression: {
        const n = node as ts.CallExpression | ts.NewExpression | ts.ExpressionWithTypeArguments | ts.TaggedTemplateExpression;
        if (n.typeArguments) this.blankGenerics(n.typeArguments, node.end);
        return false;
      }
      case SK.ClassDeclaration:
      case SK.ClassExpression:
        return this.classLike(node as ts.ClassLikeDeclaration);
      case SK.PropertyDeclaration:
        return this.property(node as ts.PropertyDeclaration);
      case SK.IndexSignature:
        this.blankStatement(node);
        return true;
      case SK.NonNullExpression:
        this.edits.blank(node.end - 1, node.end);
        return false;
      case SK.AsExpression:
      case SK.SatisfiesExpression:
        this.assertion(node as ts.AsExpression | ts.SatisfiesExpression, depth);
        return false;
      case SK.TypeAssertionExpression: {
        const n = node as ts.TypeAssertion;
        this.edits.blank(n.getStart(this.sf), n.expression.getStart(this.sf));
        return false;
      }
      case SK.BinaryExpression:
        this.keepLogicalGrouping(node as ts.BinaryExpression, depth);
        return false;
      case SK.ArrowFunction:
      case SK.FunctionDeclaration:
      case SK.FunctionExpression:
      case SK.MethodDeclaration:
      case SK.Constructor:
      case SK.GetAccessor:
      case SK.SetAccessor:
        return this.functionLike(node as ts.FunctionLikeDeclaration, depth);
      case SK.EnumDeclaration:
        if (this.hasModifier(node, SK.DeclareKeyword)) return this.blankStatement(node), true;
        throw new UnsupportedSyntax(node, "an `enum` (a const object `{ A: 0, B: 1 } as const` works)");
      case SK.ModuleDeclaration:
        return this.namespace(node as ts.ModuleDeclaration);
      case SK.ImportEqualsDeclaration:
        if ((node as ts.ImportEqualsDeclaration).isTypeOnly) return this.blankStatement(node), true;
        throw new UnsupportedSyntax(node, "`import x = …` (use `import … from`)");
      case SK.ExportAssignment:
        if ((node as ts.ExportAssignment).isExportEquals) throw new UnsupportedSyntax(node, "`export =` (use `export default`)");
        return false;
      case SK.Decorator:
        throw new UnsupportedSyntax(node, "decorators");
      case SK.JsxElement:
      case SK.JsxSelfClosingElement:
      case SK.JsxFragment:
        throw new UnsupportedSyntax(node, "JSX");
    }
    return false;
  }

  private declared(node: ts.VariableStatement): boolean {
    if (!this.hasModifier(node, SK.DeclareKeyword)) return false;
    this.blankStatement(node);
    return true;
  }

  private classLike(node: ts.ClassLikeDeclaration): boolean {
    if (this.hasModifier(node, SK.DeclareKeyword)) return this.blankStatement(node), true;
    for (const m of node.modifiers ?? []) if (m.kind === SK.AbstractKeyword) this.blankNode(m);
    if (node.typeParameters) this.blankGenerics(node.typeParameters, node.end);
    for (const h of node.heritageClauses ?? []) if (h.token === SK.ImplementsKeyword) this.blankNode(h);
    return false;
  }

  private property(node: ts.PropertyDeclaration): boolean {
    if (this.hasModifier(node, SK.AbstractKeyword) || this.hasModifier(node, SK.DeclareKeyword)) return this.blankStatement(node), true;
    if (this.hasModifier(node, SK.AccessorKeyword)) throw new UnsupportedSyntax(node, "`accessor` fields");
    this.modifiers(node.modifiers, ts.isComputedPropertyName(node.name));
    if (node.exclamationToken) this.blankNode(node.exclamationToken);
    if (node.questionToken) this.blankNode(node.questionToken);
    if (node.type) this.blankType(node.type);
    return false;
  }

  private functionLike(node: ts.FunctionLikeDeclaration, depth: number): boolean {
    if (!node.body) {
      // An overload signature, an abstract method or a `declare function`: no code.
      this.blankStatement(node);
      return true;
    }
    this.modifiers(node.modifiers, !!node.name && ts.isComputedPropertyName(node.name));
    if (node.typeParameters) {
      // `async <T>\n(x) =>`: blanking would leave a line break after `async`; move the `(` up.
      const openParen = node.parameters.pos - 1;
      if (this.src.slice(node.typeParameters.pos, openParen).includes("\n")) {
        this.edits.replace(node.typeParameters.pos - 1, openParen + 1, "(" + this.blankText(node.typeParameters.pos, openParen + 1));
      } else this.blankGenerics(node.typeParameters, node.end);
    }
    if (node.questionToken) this.blankNode(node.questionToken);
    const properties: string[] = [];
    node.parameters.forEach((p, i) => {
      if (i === 0 && ts.isIdentifier(p.name) && p.name.text === "this") {
        const next = node.parameters[1];
        this.edits.blank(p.getStart(this.sf), next ? next.getStart(this.sf) : p.end);
        return;
      }
      for (const m of p.modifiers ?? []) {
        if (m.kind === SK.Decorator) throw new UnsupportedSyntax(m, "decorators");
        if (PARAMETER_PROPERTY.has(m.kind)) {
          this.blankNode(m);
          if (ts.isIdentifier(p.name) && !properties.includes(p.name.text)) properties.push(p.name.text);
        }
      }
      if (p.questionToken) this.blankNode(p.questionToken);
      if (p.type) this.blankType(p.type);
    });
    if (properties.length && ts.isConstructorDeclaration(node)) this.parameterProperties(node, properties, depth);
    if (node.type) {
      const arrow = ts.isArrowFunction(node) ? node : undefined;
      if (arrow && this.src.slice(node.parameters.end, arrow.equalsGreaterThanToken.pos).includes("\n")) {
        // `(x)\n: T => …`: a line break may not precede `=>`; move the `)` after the type.
        const close = this.src.lastIndexOf(")", node.type.pos);
        this.edits.replace(close, node.type.end, this.blankText(close, node.type.end - 1) + ")");
      } else this.blankType(node.type);
    }
    return false;
  }

  /** `constructor(private w: Value[])` → `this.w = w;` first thing after `super(…)`, or first in the body. */
  private parameterProperties(node: ts.ConstructorDeclaration, names: string[], depth: number): void {
    const body = node.body!;
    const superCall = body.statements.find(
      (s) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === SK.SuperKeyword,
    );
    const at = superCall ? superCall.end : body.getStart(this.sf) + 1;
    this.edits.open(at, ` ${names.map((n) => `this.${n} = ${n};`).join(" ")}`, depth);
  }

  private namespace(node: ts.ModuleDeclaration): boolean {
    const typesOnly = node.flags & ts.NodeFlags.GlobalAugmentation || ts.isStringLiteral(node.name) || this.hasModifier(node, SK.DeclareKeyword) || !hasValues(node);
    if (!typesOnly) throw new UnsupportedSyntax(node, "a `namespace` with values (use a module or an object)");
    this.blankStatement(node);
    return true;
  }

  private assertion(node: ts.AsExpression | ts.SatisfiesExpression, depth: number): void {
    let base: ts.Expression = node.expression;
    while (ts.isAsExpression(base) || ts.isSatisfiesExpression(base)) base = base.expression;
    // `a + b as T / 2` groups as `(a + b) / 2`: keep that grouping once `as T` is gone.
    if (ts.isBinaryExpression(base) || ts.isConditionalExpression(base) || ts.isArrowFunction(base) || ts.isYieldExpression(base)) {
      this.edits.open(base.getStart(this.sf), "(", depth);
      this.edits.close(base.end, ")", depth);
    }
    const start = node.expression.end;
    const statement = enclosingStatement(node);
    // `x = y as T\n(z)` would become the call `y(z)`: end the statement.
    if (statement && statement.end === node.end && this.src.charCodeAt(node.end) !== 59 /* ; */) this.edits.blankStatement(start, node.end);
    else this.edits.blank(start, node.end);
  }

  /** `a ?? b as T && c` parses as `a ?? (b && c)`; without `as T` JavaScript wants those parentheses written. */
  private keepLogicalGrouping(node: ts.BinaryExpression, depth: number): void {
    const op = node.operatorToken.kind;
    if (!isLogical(op)) return;
    for (const side of [node.left, node.right]) {
      if (ts.isBinaryExpression(side) && isLogical(side.operatorToken.kind) && mixes(op, side.operatorToken.kind)) {
        this.edits.open(side.getStart(this.sf), "(", depth);
        this.edits.close(side.end, ")", depth);
      }
    }
  }

  private modifiers(modifiers: ts.NodeArray<ts.ModifierLike> | undefined, computedName: boolean): void {
    let first = true;
    for (const m of modifiers ?? []) {
      if (m.kind === SK.Decorator) throw new UnsupportedSyntax(m, "decorators");
      if (!ERASED_MODIFIERS.has(m.kind)) continue;
      // `public [key]() {}` after `x = 1` (no semicolon) would index `1`: start with `;`.
      if (first && computedName) this.edits.blankStatement(m.getStart(this.sf), m.end);
      else this.blankNode(m);
      first = false;
    }
  }

  private hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
    return (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === kind)) ?? false;
  }

  private blankType(type: ts.TypeNode): void {
    // From the `:` (the type's full start is right after it) to the end of the type.
    const colon = this.src.charCodeAt(type.pos - 1) === 58 /* : */ ? type.pos - 1 : this.src.lastIndexOf(":", type.pos);
    this.edits.blank(colon >= 0 ? colon : type.pos, type.end);
  }

  private blankGenerics(list: ts.NodeArray<ts.Node>, limit: number): void {
    const close = this.closingAngle(list.end, limit);
    this.edits.blank(list.pos - 1, close);
  }

  /** Position after the `>` that closes a type argument/parameter list ending at `from`. */
  private closingAngle(from: number, limit: number): number {
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, this.src, undefined, from, limit - from);
    for (let t = scanner.scan(); t !== SK.EndOfFileToken; t = scanner.scan()) if (t === SK.GreaterThanToken) return scanner.getTokenEnd();
    return from;
  }

  private blankNode(node: ts.Node): void {
    this.edits.blank(node.getStart(this.sf), node.end);
  }

  private blankStatement(node: ts.Node): void {
    this.edits.blankStatement(node.getStart(this.sf), node.end);
  }

  private blankText(pos: number, end: number): string {
    return this.src.slice(pos, end).replace(/[^\r\n]/g, " ");
  }
}

function isLogical(op: ts.SyntaxKind): boolean {
  return op === SK.QuestionQuestionToken || op === SK.BarBarToken || op === SK.AmpersandAmpersandToken;
}

function mixes(a: ts.SyntaxKind, b: ts.SyntaxKind): boolean {
  return a !== b && (a === SK.QuestionQuestionToken || b === SK.QuestionQuestionToken);
}

function enclosingStatement(node: ts.Node): ts.Node | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n && !ts.isStatement(n) && !ts.isClassElement(n)) {
    if (ts.isFunctionLike(n)) return undefined;
    n = n.parent;
  }
  return n;
}

/** Does a namespace declare anything that exists at run time? */
function hasValues(node: ts.ModuleDeclaration): boolean {
  const body = node.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return hasValues(body);
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some((s) => {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) return false;
    if (ts.isModuleDeclaration(s)) return hasValues(s);
    if (ts.isImportEqualsDeclaration(s)) return !!s.modifiers?.some((m) => m.kind === SK.ExportKeyword);
    return true;
  });
}
