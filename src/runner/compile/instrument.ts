import MagicString from "magic-string";
import ts from "typescript";
import type { SourceLocation } from "../../protocol/graph";

/**
 * Rewrites a user's model so the engine knows where each node came from:
 *  - `__gs.at(N);` before each statement: nodes made from here on were made by
 *    statement N (an index into the shared locations table);
 *  - `const d = <expr>` / `d = <expr>` → `__gs.name(<expr>, "d", N)`: labels d;
 *  - named functions are wrapped in `__gs.enter/exit`: their nodes are grouped
 *    under the function's name.
 * Only text is inserted, never newlines, so lines stay put; magic-string's
 * source map (inlined) lets esbuild map columns back to the user's source.
 */
export function instrument(source: string, file: string, locations: SourceLocation[]): string {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out = new MagicString(source);
  const locIndex = (node: ts.Node): number => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    locations.push({ file, line: line + 1, column: character + 1 });
    return locations.length - 1;
  };

  const visit = (node: ts.Node): void => {
    if (isInstrumentableStatement(node)) {
      const n = locIndex(node);
      const parent = node.parent;
      if (isStatementList(parent)) out.appendLeft(node.getStart(sf), `__gs.at(${n}); `);
      else {
        // The sole body of an if/for/while: keep it one statement.
        out.appendLeft(node.getStart(sf), `{ __gs.at(${n}); `);
        out.prependRight(node.getEnd(), ` }`);
      }
      labelAssignments(node, n);
    }
    const fnName = functionName(node);
    if (fnName !== undefined) wrapFunction(node as ts.FunctionLikeDeclaration, fnName);
    ts.forEachChild(node, visit);
  };

  const nameCall = (expr: ts.Expression, label: string, n: number) => {
    out.appendLeft(expr.getStart(sf), `__gs.name(`);
    out.prependRight(expr.getEnd(), `, ${JSON.stringify(label)}, ${n})`);
  };

  const labelAssignments = (stmt: ts.Statement, n: number) => {
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && mayBeValue(d.initializer)) nameCall(d.initializer, d.name.text, n);
      }
    } else if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = stmt.expression;
      const label = ts.isIdentifier(left) ? left.text : ts.isPropertyAccessExpression(left) ? left.name.text : undefined;
      if (label && mayBeValue(right)) nameCall(right, label, n);
    }
  };

  const wrapFunction = (fn: ts.FunctionLikeDeclaration, name: string | null) => {
    const body = fn.body;
    if (!body) return;
    const enter = `const __gsD = __gs.enter(${JSON.stringify(name)}); try {`;
    const exit = `} finally { __gs.exit(__gsD); }`;
    if (ts.isBlock(body)) {
      out.appendLeft(body.getStart(sf) + 1, ` ${enter} `);
      out.prependRight(body.getEnd() - 1, ` ${exit} `);
    } else {
      out.appendLeft(body.getStart(sf), `{ ${enter} return (`);
      out.prependRight(body.getEnd(), `); ${exit} }`);
    }
  };

  ts.forEachChild(sf, visit);
  const map = out.generateMap({ source: file, hires: true, includeContent: true });
  return `${out.toString()}\n//# sourceMappingURL=${map.toUrl()}\n`;
}

function isStatementList(node: ts.Node): boolean {
  return ts.isSourceFile(node) || ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isModuleBlock(node);
}

function isInstrumentableStatement(node: ts.Node): node is ts.Statement {
  if (!ts.isVariableStatement(node) && !ts.isExpressionStatement(node) && !ts.isReturnStatement(node) && !ts.isIfStatement(node) &&
      !ts.isForStatement(node) && !ts.isForOfStatement(node) && !ts.isForInStatement(node) && !ts.isWhileStatement(node) &&
      !ts.isDoStatement(node) && !ts.isThrowStatement(node) && !ts.isSwitchStatement(node) && !ts.isTryStatement(node))
    return false;
  // `label: for (...)` must stay labelled; and `declare const x` has no code.
  if (ts.isLabeledStatement(node.parent)) return false;
  if (ts.isVariableStatement(node) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return false;
  // Keep "use strict" and other directives first.
  if (ts.isExpressionStatement(node) && ts.isStringLiteral(node.expression)) return false;
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
 * The name to group a function's nodes under; null for an anonymous function
 * (wrapped only so its caller's statement is current again when it returns);
 * undefined for functions we leave alone.
 */
function functionName(node: ts.Node): string | null | undefined {
  if (!ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node) &&
      !ts.isGetAccessorDeclaration(node) && !ts.isSetAccessorDeclaration(node)) return undefined;
  // Async functions and generators suspend mid-body: a group stack cannot follow them.
  if (node.asteriskToken || node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return undefined;
  if (!node.body) return undefined;
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && parent.initializer === node) return parent.name.text;
  return null;
}
