import { RULES } from "../../src/engine/rules";
import { formatNumber as fmt } from "../../src/graph/format";
import { nodeName } from "../../src/graph/nodeName";
import { consumersOf, rootIndex, type GraphModel } from "./graphModel";

/**
 * The chain rule with the numbers of the current step: why a node has the
 * gradient it has. Local derivatives are the engine's backward rules (one table).
 */

/** ∂out/∂(input in `slot`) for node `out`: the engine's own rule (src/engine/rules.ts), with its inputs' data or its constant. */
export function localDerivative(m: GraphModel, out: number, slot: 0 | 1): number {
  const { op, in0, in1, k } = m.topology;
  const data = m.values.data;
  const operand = (j: number) => (j >= 0 ? data[j] : k[out]);
  const rule = RULES[op[out]];
  if (!rule) return NaN;
  const x = operand(in0[out]), y = operand(in1[out]);
  return slot === 0 ? rule.d0(x, y, data[out]) : rule.d1(x, y, data[out]);
}

/** ∂c/∂a summed over every slot of c that reads a (a * a reads it twice). */
export function derivativeWrt(m: GraphModel, c: number, a: number): number {
  let d = 0;
  if (m.topology.in0[c] === a) d += localDerivative(m, c, 0);
  if (m.topology.in1[c] === a) d += localDerivative(m, c, 1);
  return d;
}

export interface ChainTerm {
  consumer: number;
  consumerName: string;
  upstream: number;
  local: number;
}

export interface ChainRule {
  /** The full line, e.g. `∂loss/∂a = ∂loss/∂c · ∂c/∂a = 14 × 3 = 42`. */
  text: string;
  terms: ChainTerm[];
  /** Σ upstream × local: what backward() should have put in grad. */
  sum: number;
  /** Consumers that do not lead to the loss (they add nothing). */
  deadConsumers: number;
}

const MAX_TERMS_SHOWN = 4;
const contribution = (t: ChainTerm) => { const c = Math.abs(t.upstream * t.local); return Number.isNaN(c) ? Infinity : c; };

export function chainRule(m: GraphModel, a: number): ChainRule {
  const root = rootIndex(m);
  const rootName = nodeName(m.topology, root);
  const name = nodeName(m.topology, a);
  if (a === root) return { text: `∂${rootName}/∂${rootName} = 1`, terms: [], sum: 1, deadConsumers: 0 };
  const terms: ChainTerm[] = [];
  let deadConsumers = 0;
  for (const c of consumersOf(m, a)) {
    if (!m.reachesRoot[c]) { deadConsumers++; continue; }
    terms.push({ consumer: c, consumerName: nodeName(m.topology, c), upstream: m.values.grad[c], local: derivativeWrt(m, c, a) });
  }
  const sum = terms.reduce((s, t) => s + t.upstream * t.local, 0);
  const lhs = `∂${rootName}/∂${name}`;
  if (terms.length === 0) return { text: `${lhs} = 0 (does not reach ${rootName})`, terms, sum: 0, deadConsumers };
  // With many consumers, show the terms that carry the gradient, not the first ones created.
  const shown = terms.length <= MAX_TERMS_SHOWN ? terms : terms.slice().sort((x, y) => contribution(y) - contribution(x)).slice(0, MAX_TERMS_SHOWN);
  const more = terms.length - shown.length;
  const moreText = more > 0 ? ` + … (${more} more)` : "";
  const symbolic = shown.map((t) => `∂${rootName}/∂${t.consumerName} · ∂${t.consumerName}/∂${name}`).join(" + ") + moreText;
  const numeric = shown.map((t) => `${fmt(t.upstream)} × ${fmt(t.local)}`).join(" + ") + moreText;
  return { text: `${lhs} = ${symbolic} = ${numeric} = ${fmt(sum)}`, terms, sum, deadConsumers };
}
