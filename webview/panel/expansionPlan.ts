import { ancestry, type GroupTree } from "../../src/graph/groupTree";
import { closedRep, visibleCount } from "../../src/graph/visibleUnits";

/**
 * What opening one group does to the view: it and its ancestors open; if the
 * view would then hold more units than its budget, other open groups close —
 * those the user opened longest ago first, then the initial opening's, deepest
 * first — never the ones around the group being opened. Every group opens
 * into at most the tree's maxUnits things, so this always succeeds unless the
 * ancestors alone are past twice the budget.
 */

export interface ExpansionPlan {
  expanded: Set<string>;
  /** Open groups that close to make room, in the order they close. */
  closed: string[];
  /** Units the view will show. */
  count: number;
  /** Too big even after closing everything else. */
  refused: boolean;
}

export function planExpansion(tree: GroupTree, expanded: ReadonlySet<string>, opened: readonly string[], key: string, budget: number): ExpansionPlan {
  const g = tree.index.get(key);
  const next = new Set(expanded);
  if (g === undefined) return { expanded: next, closed: [], count: visibleCount(tree, next), refused: true };
  const keep = new Set<string>();
  for (const a of ancestry(tree, g)) { next.add(tree.key[a]); keep.add(tree.key[a]); }
  let count = visibleCount(tree, next);
  const closed: string[] = [];
  if (count > budget) {
    // Only groups that are open and on screen give room back when they close.
    const rep = closedRep(tree, next);
    const shown = (k: string) => { const id = tree.index.get(k); return id !== undefined && rep[id] === -1; };
    const initial = [...expanded].filter((k) => !opened.includes(k)).sort((a, b) => tree.depth[tree.index.get(b) ?? 0] - tree.depth[tree.index.get(a) ?? 0]);
    for (const k of [...opened, ...initial]) {
      if (count <= budget) break;
      if (keep.has(k) || !next.has(k) || !shown(k)) continue;
      next.delete(k);
      closed.push(k);
      count = visibleCount(tree, next);
    }
  }
  return { expanded: next, closed, count, refused: count > 2 * budget };
}
