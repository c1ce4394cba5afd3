import ts from "typescript";
import type { SourceLocation } from "../../protocol/graph";
import type { Edits } from "./edits";

/**
 * Rewrites a user's model so the engine knows where each node came from (the
 * runtime side is engine/instrument.ts):
 *  - `__gs.at(N);` before each statement: nodes made from here on were made by
 *    statement N (an index into the shared locations table);
 *  - `const d = <expr>` / `d = <expr>` → `__gs.name(<expr>, "d", N)`: labels d;
 *  - user functions run inside `__gs.enter/exit`: each call is its own group
 *    (`neuron#3`); anonymous callbacks only restore their caller's statement;
 *  - a loop whose iterations repeat work (a call inside a nested loop or
 *    callback, e.g. `for (const layer of layers) h = layer.map((n) => neuron(n, h))`)
 *    runs each iteration inside `__gs.iter`: a group per iteration (`layer#2`).
 * Only text is inserted, never newlines, so lines stay put.
 */
export class Instrumenter {
  /** Locations of the statements seen, in `__gs.at` order (indices are offset by `base`). */
  readonly locations: SourceLocation[] = [];
  /**
   * Does the file run anything (a call, `new`, a tagged template, a loop)? A file
   * that does not (a data module) builds no Values and never hangs: it needs no instrumentation.
   */
  runsCode = false;
  private readonly frames: Frame[] = [];

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly edits: Edits,
    private readonly base: number,
    private readonly nextLoopId: () => number,
  ) {}

  enter(node: ts.Node, depth: number): boolean {
    const top = this.frames[this.frames.length - 1];
    if (isLoop(node)) this.runsCode = true;
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) {
      this.runsCode = true;
      if (top) {
        top.calls = true;
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "backward") top.backward = true;
      }
    } else if (top && (ts.isAwaitExpression(node) || ts.isYieldExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier))) top.suspends = true;

    if (isInstrumentableStatement(node)) {
      const n = this.locate(node);
      const start = node.getStart(this.sf);
      if (isStatementList(node.parent)) this.edits.open(start, `__gs.at(${n}); `, depth);
      else {
        // The sole body of an if/for/while: keep it one statement.
        this.edits.open(start, `{ __gs.at(${n}); `, depth);
        this.edits.close(node.end, ` }`, depth);
      }
      this.labelAssignments(node, n, depth);
    }
    if (isLoop(node) || ts.isFunctionLike(node)) this.frames.push({ node, calls: false, repeated: false, backward: false, suspends: false });
    const name = functionName(node);
    if (name !== undefined) this.wrapFunction(node as ts.FunctionLikeDeclaration, name, depth);
    return true;
  }

  leave(node: ts.Node, depth: number): void {
    const top = this.frames[this.frames.length - 1];
    if (top?.node !== node) return;
    this.frames.pop();
    if (isLoop(node) && top.repeated && !top.backward && !top.suspends && !inSuspendingFunction(node)) this.groupIterations(node, depth);
    const parent = this.frames[this.frames.length - 1];
    if (!parent) return;
    // Calls inside a nested loop or callback run many times per iteration of the loop around them.
    parent.repeated ||= top.calls || top.repeated;
    parent.calls ||= top.calls;
    parent.backward ||= top.backward;
    if (isLoop(node)) parent.suspends ||= top.suspends;
  }

  private locate(node: ts.Node): number {
    const { line, character } = this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf));
    this.locations.push({ file: this.sf.fileName, line: line + 1, column: character + 1 });
    return this.base + this.locations.length - 1;
  }

  private nameCall(expr: ts.Expression, label: string, n: number, depth: number): void {
    this.edits.open(expr.getStart(this.sf), `__gs.name(`, depth);
    this.edits.close(expr.end, `, ${JSON.stringify(label)}, ${n})`, depth);
  }

  private labelAssignments(stmt: ts.Statement, n: number, depth: number): void {
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && mayBeValue(d.initializer)) this.nameCall(d.initializer, d.name.text, n, depth);
      }
    } else if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = stmt.expression;
      const label = ts.isIdentifier(left) ? left.text : ts.isPropertyAccessExpression(left) ? left.name.text : undefined;
      if (label && mayBeValue(right)) this.nameCall(right, label, n, depth);
    }
  }

  private wrapFunction(fn: ts.FunctionLikeDeclaration, name: string | null, depth: number): void {
    const body = fn.body;
    if (!body) return;
    const enter = `const __gsD = __gs.enter(${JSON.stringify(name)}); try {`;
    const exit = `} finally { __gs.exit(__gsD); }`;
    if (ts.isBlock(body)) {
      // After the directive prologue: `"use strict"` must stay the body's first statement.
      const directives = body.statements.filter((s, i) => isDirective(s) && body.statements.slice(0, i).every(isDirective));
      const at = directives.length ? directives[directives.length - 1].end : body.getStart(this.sf) + 1;
      this.edits.open(at, ` ${enter} `, depth);
      this.edits.close(body.end - 1, ` ${exit} `, depth);
    } else {
      this.edits.open(body.getStart(this.sf), `{ ${enter} return (`, depth);
      this.edits.close(body.end, `); ${exit} }`, depth);
    }
  }

  private groupIterations(loop: ts.IterationStatement, depth: number): void {
    const body = loop.statement;
    const enter = `const __gsL = __gs.iter(${JSON.stringify(loopName(loop))}, ${this.nextLoopId()}); try {`;
    const exit = `} finally { __gs.exit(__gsL); }`;
    if (ts.isBlock(body)) {
      this.edits.open(body.getStart(this.sf) + 1, ` ${enter} `, depth);
      this.edits.close(body.end - 1, ` ${exit} `, depth);
    } else {
      this.edits.open(body.getStart(this.sf), `{ ${enter} `, depth);
      this.edits.close(body.end, ` ${exit} }`, depth);
    }
  }
}

interface Frame {
  node: ts.Node;
  /** A call (or `new`) somewhere inside. */
  calls: boolean;
  /** A call inside a nested loop or function: it repeats within one iteration. */
  repeated: boolean;
  /** A `.backward()` call inside: the loop is a training loop, whose iterations are steps, not groups. */
  backward: boolean;
  /** `await`/`yield` inside: the group stack cannot follow a suspended iteration. */
  suspends: boolean;
}

function isLoop(node: ts.Node): node is ts.IterationStatement {
  return ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

function inSuspendingFunction(node: ts.Node): boolean {
  const fn = ts.findAncestor(node.parent, ts.isFunctionLike) as ts.FunctionLikeDeclaration | undefined;
  return !!fn && (!!fn.asteriskToken || !!ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword));
}

/** The loop variable names its iterations: `for (const layer of layers)` → `layer#1`, `layer#2`, … */
function loopName(loop: ts.IterationStatement): string {
  const init = ts.isForStatement(loop) || ts.isForOfStatement(loop) || ts.isForInStatement(loop) ? loop.initializer : undefined;
  let name: ts.Node | undefined = init && ts.isVariableDeclarationList(init) ? init.declarations[0]?.name : init;
  if (name && ts.isBinaryExpression(name)) name = name.left;
  if (name && ts.isArrayBindingPattern(name)) {
    const last = name.elements.filter((e): e is ts.BindingElement => ts.isBindingElement(e)).pop();
    name = last?.name;
  }
  return name && ts.isIdentifier(name) ? name.text : "loop";
}

function isDirective(s: ts.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression);
}

function isStatementList(node: ts.Node): boolean {
  return ts.isSourceFile(node) || ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isModuleBlock(node);
}

function isInstrumentableStatement(node: ts.Node): node is ts.Statement {
  if (!ts.isVariableStatement(node) && !ts.isExpressionStatement(node) && !ts.isReturnStatement(node) && !ts.isIfStatement(node) &&
      !ts.isForStatement(node) && !ts.isForOfStatement(node) && !ts.isForInStatement(node) && !ts.isWhileStatement(node) &&
      !ts.isDoStatement(node) && !ts.isThrowStatement(node) && !ts.isSwitchStatement(node) && !ts.isTryStatement(node))
    return false;
  // `label: for (...)` must stay labelled.
  if (ts.isLabeledStatement(node.parent)) return false;
  // Keep "use strict" and other directives first.
  if (isDirective(node as ts.Statement) && isStatementList(node.parent)) return false;
  return true;
}

/** Values come from calls, `new`, property reads and the like; literals and functions never are. */
function mayBeValue(e: ts.Expression): boolean {
  return !(ts.isLiteralExpression(e) || ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e) || ts.isFunctionExpression(e) ||
    ts.isArrowFunction(e) || ts.isClassExpression(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) ||
    e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword ||
    ts.isPrefixUnaryExpression(e) || ts.isTypeOfExpression(e) || ts.isIdentifier(e));
}

/**
 * The name to group a function's calls under; null for an anonymous function
 * (wrapped only so its caller's statement is current again when it returns);
 * undefined for functions we leave alone.
 */
function functionName(node: ts.Node): string | null | undefined {
  if (!ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node) &&
      !ts.isGetAccessorDeclaration(node) && !ts.isSetAccessorDeclaration(node)) return undefined;
  // Async functions and generators suspend mid-body: a group stack cannot follow them.
  if (node.asteriskToken || ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return undefined;
  if (!node.body) return undefined;
  if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return node.name && ts.isIdentifier(node.name) ? node.name.text : null;
  if (node.name) return node.name.text;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node && ts.isIdentifier(parent.name))
    return parent.name.text;
  return null;
}
