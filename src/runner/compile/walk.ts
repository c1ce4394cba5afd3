import ts from "typescript";

/**
 * Visits a source file's runtime code depth-first without recursion: a chain of
 * thousands of `.add(1)` calls or an 8,000-term sum is as deep as the tree
 * gets, and a recursive walk overflows the stack there. Type annotations,
 * type parameters and `implements` clauses are not visited: they have no code
 * (the stripper blanks them from their parent).
 *
 * `enter` returns false to skip a node's children (and its `leave`).
 */
export function walk(root: ts.Node, enter: (node: ts.Node, depth: number) => boolean, leave: (node: ts.Node, depth: number) => void): void {
  const stack: (ts.Node | Leave)[] = [root];
  const children: ts.Node[] = [];
  const collect = (c: ts.Node) => {
    children.push(c);
  };
  let depth = 0;
  while (stack.length) {
    const item = stack.pop()!;
    if (item instanceof Leave) {
      depth--;
      leave(item.node, depth);
      continue;
    }
    if (!enter(item, depth)) continue;
    stack.push(new Leave(item));
    depth++;
    children.length = 0;
    ts.forEachChild(item, collect);
    for (let i = children.length - 1; i >= 0; i--) if (hasCode(children[i])) stack.push(children[i]);
  }
}

class Leave {
  constructor(readonly node: ts.Node) {}
}

/** False for the parts of a tree that exist only for the type checker. */
function hasCode(node: ts.Node): boolean {
  if (node.kind === ts.SyntaxKind.ExpressionWithTypeArguments) return true; // `extends Base<T>`: Base is code
  if (ts.isTypeNode(node) || ts.isTypeParameterDeclaration(node)) return false;
  if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) return false;
  return true;
}
