import type { GraphTopology } from "../../protocol/graph";
import type { BreakOn, FindingKind, HealthOptions, RawBreak, RawFinding } from "../../protocol/health";
import { NodeKind, OP, OPS } from "../../protocol/ops";
import { layersOf } from "../layers";
import { localDerivative, nodeName, operandX, operandY } from "../replay";
import { healthOptions, MAX_FINDINGS_PER_KIND } from "./options";
import { formatNumber } from "../../graph/format";

/** A parameter backward() did not reach this step (the worker lists them: they are not in the step's graph). */
export interface UnreachedParam {
  label: string;
  loc: number;
}

export interface StepHealth {
  findings: RawFinding[];
  /** The first breakpoint condition that fired at this step, if any. */
  brk: RawBreak | null;
}

/**
 * Every node's numbers where they lie: node j < m at index sel[j] of data/grad, node j ≥ m at index base + j.
 * dense(): a report's own arrays (node j at j). The model worker reads the engine's store in place
 * (Reporter.numbersInPlace()): no copy of a step's numbers when its report carries a subset.
 */
export interface NodeNumbers {
  data: Float64Array;
  grad: Float64Array;
  n: number;
  sel: Int32Array;
  m: number;
  base: number;
  /** The engine saw every op node's data written and all of it was finite (store.dataNotFinite): only the leaves' data need a look. */
  opDataFinite?: boolean;
}

const NO_SEL = new Int32Array(0);
export function dense(data: Float64Array, grad: Float64Array): NodeNumbers {
  return { data, grad, n: data.length, sel: NO_SEL, m: 0, base: 0 };
}

/** A layer's finding keys (see finding()), made once per shape rather than every step. */
interface LayerKeys { sat: string; vanishDepth: string; explodeDepth: string; vanishTime: string; explodeTime: string }
const layerKeys = (path: string): LayerKeys => ({
  sat: `sat:${path}`, vanishDepth: `vanish-depth:${path}`, explodeDepth: `explode-depth:${path}`, vanishTime: `vanish-time:${path}`, explodeTime: `explode-time:${path}`,
});

/** What the detectors need of a topology, computed once per shape. */
interface Shape {
  hash: string;
  n: number;
  /** ReLU nodes by group (neurons): group index → node list. */
  reluGroups: { path: string; nodes: Int32Array; loc: number; first: number }[];
  /** ops: how many op nodes; firstOp: the first of them (undefined if none). */
  layers: { path: string; squash: Int32Array; params: Int32Array; ops: number; firstOp: number | undefined; first: number; keys: LayerKeys }[];
  /**
   * The op nodes of the layers without parameters (their gradient RMS is over their nodes), as runs of
   * consecutive nodes: [start, end) and the layer, three numbers a run. One sequential pass sums them.
   */
  opRuns: Int32Array;
  /** The lowest-index op node: in a graph that grows across steps, made in the earliest step still held. */
  firstOp: number;
  /** The leaves (inputs and parameters): every non-finite grad reaches one of them (see scan()). */
  leaves: Int32Array;
}

/**
 * The health detectors (issue 10 §1) and training breakpoints (§2), one
 * instance per run, fed every reported step in the model worker. Each
 * finding is reported when its condition starts (and once per group/node),
 * at most MAX_FINDINGS_PER_KIND of a kind per run. How each is decided:
 *
 *  - nan-origin: the first node in topological order whose data is not
 *    finite (forward); if all data is finite, the first in backward order
 *    (loss → leaves) whose grad is not, reported at the op whose local
 *    derivative produced it. Cheap check first (see scan()): Σ x·0 over every
 *    node's data and the leaves' grads is 0 unless one of them is not finite.
 *  - dead-relu: every ReLU of a group (a neuron) output 0 (input ≤ 0) for
 *    every sample, deadReluSteps reported steps in a row.
 *  - saturation: a layer's share of tanh/sigmoid outputs with |t| >
 *    saturationLevel above saturationShare.
 *  - vanishing / exploding: a layer's gradient RMS (over its parameters, or
 *    its nodes when it has none) compared (a) across depth with the layer
 *    nearest the loss (the last layer): more than depthDecades below / above,
 *    and (b) over time with the mean of its own log10 RMS over the last
 *    historySteps steps (once half of them are there): more than
 *    historyDecades below / above — but not "vanishing" while the loss itself
 *    fell a decade or more below its mean over that window (convergence: near
 *    a minimum the gradient shrinks with the loss). The detail shows the numbers.
 *  - no-grad: a parameter that backward() did not reach, noGradSteps in a row.
 *  - growing-graph: the step's node count grew growingSteps reported steps in
 *    a row (a Value carried across steps keeps its history in every graph);
 *    the node is the oldest op node still in the graph.
 *  - not-zeroed: the engine's own check (grads already nonzero before
 *    backward()), turned into a finding by notZeroed().
 */
export class HealthTracker {
  private o: Required<HealthOptions>;
  private breakOn: BreakOn;
  private shape: Shape | null = null;
  private counts = new Map<FindingKind, number>();
  private reported = new Set<string>();
  /** Runs of checked steps a condition held, and the step each began at (see runText). */
  private deadRun = new Map<string, Run>();
  private noGradRun = new Map<string, Run>();
  private layerHistory = new Map<string, number[]>();
  private active = new Set<string>();
  private lastN = -1;
  private growRun: Run = { run: 0, since: 0 };
  private wasFinite = true;
  private prevLoss = NaN;
  /** log10 |loss| of the last reported steps (same window as the layers' history). */
  private lossHistory: number[] = [];
  private pendingLossUp: string | null = null;
  private gradWasAbove = false;
  /** Scratch: Σ grad² of each layer's op nodes this step. */
  private opSq = new Float64Array(0);

  constructor(options?: HealthOptions, breakOn: BreakOn = { nan: true }) {
    this.o = healthOptions(options);
    this.breakOn = breakOn;
  }

  configure(breakOn?: BreakOn, options?: HealthOptions): void {
    if (breakOn) this.breakOn = { ...this.breakOn, ...breakOn };
    if (options) this.o = healthOptions({ ...this.o, ...options });
  }

  /**
   * Every step, reported or not (O(1)): the loss. True when the step must be
   * reported so that its values can be checked (a non-finite loss, a
   * loss-up breakpoint that fired).
   */
  onLoss(step: number, loss: number): boolean {
    const prev = this.prevLoss;
    this.prevLoss = loss;
    const pct = this.breakOn.lossUpPct;
    if (pct !== undefined && Number.isFinite(prev) && Number.isFinite(loss) && prev !== 0) {
      const rise = ((loss - prev) / Math.abs(prev)) * 100;
      if (rise > pct) this.pendingLossUp = `loss rose ${formatNumber(rise)}% at step ${step} (${formatNumber(prev)} → ${formatNumber(loss)}), more than ${pct}%`;
    }
    return this.pendingLossUp !== null || !Number.isFinite(loss);
  }

  /** A finding for the engine's not-zeroed check (called with the leaf that already held a grad). */
  notZeroed(step: number, label: string, loc: number, message: string): RawFinding | null {
    return this.finding({ kind: "not-zeroed", step, node: -1, label, op: "leaf", loc, detail: message }, `not-zeroed`);
  }

  /** A reported step: run the detectors and the breakpoint conditions on its numbers. */
  onReport(step: number, t: GraphTopology, nums: NodeNumbers, unreached: UnreachedParam[] = []): StepHealth {
    const shape = this.shapeOf(t);
    const findings: RawFinding[] = [];
    const add = (f: RawFinding | null) => f && findings.push(f);
    let brk: RawBreak | null = null;
    const root = shape.n - 1;
    const { data, grad, sel, m, base } = nums;
    /** Where node j's numbers are in data/grad. */
    const at = (j: number) => (j < m ? sel[j] : base + j);

    // ---- non-finite values (and the parameterless layers' Σ grad², for below)
    const opSq = this.opSq.length >= shape.layers.length ? this.opSq : (this.opSq = new Float64Array(shape.layers.length));
    if (!scan(nums, shape.opRuns, shape.leaves, opSq)) {
      if (this.wasFinite) {
        const d = inNodeOrder(nums);
        const f = nanOrigin(t, d.data, d.grad, step);
        if (f) {
          add(this.finding(f, `nan:${f.node}`, true));
          if (this.breakOn.nan) brk = { kind: "nan", step, node: f.node, loc: f.loc, message: f.detail };
        }
      }
      this.wasFinite = false;
    } else this.wasFinite = true;

    // ---- loss up (decided in onLoss)
    if (this.pendingLossUp) {
      brk ??= { kind: "loss-up", step, node: root, loc: t.loc[root], message: this.pendingLossUp };
      this.pendingLossUp = null;
    }

    // ---- grad above
    const gAbove = this.breakOn.gradAbove;
    if (gAbove !== undefined) {
      let top = -1, max = 0;
      for (let i = 0; i < shape.n; i++) {
        const a = Math.abs(grad[at(i)]);
        if (a > max) {
          max = a;
          top = i;
        }
      }
      const above = max > gAbove;
      if (above && !this.gradWasAbove) brk ??= { kind: "grad-above", step, node: top, loc: t.loc[top], message: `|grad| of ${nodeName(t, top)} is ${formatNumber(max)}, above ${formatNumber(gAbove)} (step ${step})` };
      this.gradWasAbove = above;
    }

    // ---- dead ReLU neurons
    for (const g of shape.reluGroups) {
      let dead = true;
      for (let j = 0; j < g.nodes.length; j++) if (data[at(g.nodes[j])] !== 0) { dead = false; break; }
      // A live group has no run: nothing to keep (most groups, most steps).
      if (!dead) {
        this.deadRun.delete(g.path);
        continue;
      }
      const r = extend(this.deadRun.get(g.path), step);
      this.deadRun.set(g.path, r);
      if (r.run === this.o.deadReluSteps)
        add(this.finding({ kind: "dead-relu", step, node: g.first, label: g.path, op: "relu", loc: g.loc, detail: `every ReLU in ${g.path} had input ≤ 0 for all ${g.nodes.length} samples, ${runText(r, step)}: it passes no gradient, so its weights stop learning` }, `dead:${g.path}`));
    }

    // ---- layers: saturation, vanishing / exploding
    const rms: number[] = [];
    for (let li = 0; li < shape.layers.length; li++) {
      const l = shape.layers[li];
      if (l.squash.length > 0) {
        let sat = 0;
        for (let j = 0; j < l.squash.length; j++) {
          const i = l.squash[j], x = data[at(i)];
          const s = t.op[i] === OP.tanh ? x : 2 * x - 1;
          if (Math.abs(s) > this.o.saturationLevel) sat++;
        }
        const share = sat / l.squash.length;
        const key = l.keys.sat;
        if (share > this.o.saturationShare) {
          if (!this.active.has(key)) {
            this.active.add(key);
            add(this.finding({ kind: "saturation", step, node: l.squash[0], label: l.path, op: OPS[t.op[l.squash[0]]].name, loc: t.loc[l.squash[0]], detail: `${formatNumber(share * 100)}% of ${l.path}'s ${l.squash.length} tanh/sigmoid outputs are saturated (|t| > ${this.o.saturationLevel}), above ${formatNumber(this.o.saturationShare * 100)}%: their gradients are cut by 17× or more` }, key, true));
          }
        } else this.active.delete(key);
      }
      if (l.params.length > 0) {
        let sq = 0;
        for (let j = 0; j < l.params.length; j++) sq += grad[at(l.params[j])] ** 2;
        rms.push(Math.sqrt(sq / l.params.length));
      } else rms.push(l.ops > 0 ? Math.sqrt(opSq[li] / l.ops) : NaN);
    }
    const lossLog = Math.log10(Math.abs(this.prevLoss));
    if (Number.isFinite(lossLog)) {
      this.lossHistory.push(lossLog);
      if (this.lossHistory.length > this.o.historySteps + 1) this.lossHistory.shift();
    }
    this.scaleFindings(step, t, shape, rms, add);

    // ---- no gradient
    const missing = new Set<string>();
    for (const p of unreached) {
      missing.add(p.label);
      const r = extend(this.noGradRun.get(p.label), step);
      this.noGradRun.set(p.label, r);
      if (r.run === this.o.noGradSteps)
        add(this.finding({ kind: "no-grad", step, node: -1, label: p.label, op: "leaf", loc: p.loc, detail: `parameter ${p.label} is not reached by backward() (${runText(r, step)}): the loss does not depend on it, so it never learns` }, `nograd:${p.label}`));
    }
    for (const k of this.noGradRun.keys()) if (!missing.has(k)) this.noGradRun.delete(k);

    // ---- growing graph
    if (this.lastN >= 0 && shape.n > this.lastN) this.growRun = extend(this.growRun, step);
    else if (this.lastN >= 0) this.growRun = { run: 0, since: step };
    if (this.growRun.run === this.o.growingSteps && shape.firstOp >= 0) {
      const i = shape.firstOp;
      add(this.finding({ kind: "growing-graph", step, node: i, label: nodeName(t, i), op: OPS[t.op[i]].name, loc: t.loc[i], detail: `the graph grew ${runText(this.growRun, step)} (now ${shape.n} nodes, ${shape.n - this.lastN} more than the last step checked): a Value carried across steps keeps every earlier step's graph alive; the oldest node still in it was made here` }, "grow"));
    }
    this.lastN = shape.n;

    if (!brk && this.breakOn.findings?.length) {
      const hit = findings.find((f) => this.breakOn.findings!.includes(f.kind));
      if (hit) brk = { kind: "finding", step, node: hit.node, loc: hit.loc, message: `${hit.kind}: ${hit.detail}` };
    }
    return { findings, brk };
  }

  private scaleFindings(step: number, t: GraphTopology, shape: Shape, rms: number[], add: (f: RawFinding | null) => void): void {
    const L = shape.layers.length;
    const last = rms[L - 1];
    // A falling gradient while the loss fell a decade or more below its mean over the same window is
    // convergence, not vanishing (near a minimum the gradient shrinks with the loss).
    const lh = this.lossHistory;
    const converging = lh.length >= 2 && lh[lh.length - 1] - lh.slice(0, -1).reduce((a, b) => a + b, 0) / (lh.length - 1) <= -1;
    for (let li = 0; li < L; li++) {
      const l = shape.layers[li], r = rms[li];
      if (!(r > 0) || !Number.isFinite(r)) continue;
      const log = Math.log10(r);
      const node = l.params[0] ?? l.firstOp ?? l.first;
      const mk = (kind: "vanishing" | "exploding", key: string, detail: string) => {
        if (this.active.has(key)) return;
        this.active.add(key);
        add(this.finding({ kind, step, node, label: l.path, op: "", loc: t.loc[node], detail }, key, true));
      };
      // Across depth: vs the layer nearest the loss.
      if (li < L - 1 && last > 0 && Number.isFinite(last)) {
        const d = log - Math.log10(last);
        const keyV = l.keys.vanishDepth, keyE = l.keys.explodeDepth;
        if (d < -this.o.depthDecades) mk("vanishing", keyV, `gradient RMS of ${l.path} is ${formatNumber(r)}, ${formatNumber(-d)} decades below ${shape.layers[L - 1].path} (${formatNumber(last)}), the layer nearest the loss (threshold ${this.o.depthDecades} decades)`);
        else this.active.delete(keyV);
        if (d > this.o.depthDecades) mk("exploding", keyE, `gradient RMS of ${l.path} is ${formatNumber(r)}, ${formatNumber(d)} decades above ${shape.layers[L - 1].path} (${formatNumber(last)}), the layer nearest the loss (threshold ${this.o.depthDecades} decades)`);
        else this.active.delete(keyE);
      }
      // Over time: vs its own recent mean of log10 RMS (unless converging, above).
      const hist = this.layerHistory.get(l.path) ?? [];
      if (hist.length >= Math.ceil(this.o.historySteps / 2)) {
        const mean = hist.reduce((a, b) => a + b, 0) / hist.length;
        const d = log - mean;
        const keyV = l.keys.vanishTime, keyE = l.keys.explodeTime;
        if (d < -this.o.historyDecades && !converging) mk("vanishing", keyV, `gradient RMS of ${l.path} fell to ${formatNumber(r)}, ${formatNumber(-d)} decades below its mean over the last ${hist.length} steps (${formatNumber(10 ** mean)}; threshold ${this.o.historyDecades} decades)`);
        else this.active.delete(keyV);
        if (d > this.o.historyDecades) mk("exploding", keyE, `gradient RMS of ${l.path} rose to ${formatNumber(r)}, ${formatNumber(d)} decades above its mean over the last ${hist.length} steps (${formatNumber(10 ** mean)}; threshold ${this.o.historyDecades} decades)`);
        else this.active.delete(keyE);
      }
      hist.push(log);
      if (hist.length > this.o.historySteps) hist.shift();
      this.layerHistory.set(l.path, hist);
    }
  }

  /** Counts and dedups: a key is reported once per run (or once per episode for `episodic` keys, which the caller clears). */
  private finding(f: RawFinding, key: string, episodic = false): RawFinding | null {
    if (!episodic && this.reported.has(key)) return null;
    this.reported.add(key);
    const c = this.counts.get(f.kind) ?? 0;
    if (c >= MAX_FINDINGS_PER_KIND) return null;
    this.counts.set(f.kind, c + 1);
    return { ...f, label: f.label.slice(0, 500), detail: f.detail.slice(0, 1500) };
  }

  private shapeOf(t: GraphTopology): Shape {
    if (this.shape && this.shape.hash === t.hash && this.shape.n === t.op.length) return this.shape;
    const n = t.op.length;
    const relu = new Map<number, number[]>();
    const leaves: number[] = [];
    let firstOp = -1;
    for (let i = 0; i < n; i++) {
      if (t.op[i] === OP.leaf) leaves.push(i);
      else if (firstOp < 0) firstOp = i;
      if (t.op[i] === OP.relu && t.group[i] >= 0) {
        const l = relu.get(t.group[i]) ?? [];
        l.push(i);
        relu.set(t.group[i], l);
      }
    }
    const reluGroups = [...relu].map(([g, nodes]) => ({ path: t.groups[g], nodes: Int32Array.from(nodes), loc: t.loc[nodes[0]], first: nodes[0] }));
    const layers = layersOf(t);
    const ofGroup = new Int32Array(t.groups.length).fill(-1);
    layers.forEach((l, li) => l.groups.forEach((g) => (ofGroup[g] = li)));
    const squash = layers.map(() => [] as number[]), params = layers.map(() => [] as number[]), ops = layers.map(() => [] as number[]), first = layers.map(() => -1);
    for (let i = 0; i < n; i++) {
      const g = t.group[i];
      if (g < 0 || ofGroup[g] < 0) continue;
      const li = ofGroup[g];
      if (first[li] < 0) first[li] = i;
      const op = t.op[i];
      if (op === OP.tanh || op === OP.sigmoid) squash[li].push(i);
      if (op === OP.leaf) {
        if (t.kind[i] === NodeKind.param) params[li].push(i);
      } else ops[li].push(i);
    }
    // Runs of consecutive op nodes of one layer without parameters (those are summed by run, not node by node).
    const runs: number[] = [];
    for (let i = 0, li = -1; i < n; i++) {
      const g = t.group[i], l = t.op[i] !== OP.leaf && g >= 0 && ofGroup[g] >= 0 && params[ofGroup[g]].length === 0 ? ofGroup[g] : -1;
      if (l >= 0 && l === li && runs[runs.length - 2] === i) runs[runs.length - 2] = i + 1;
      else if (l >= 0) runs.push(i, i + 1, l);
      li = l;
    }
    this.shape = {
      hash: t.hash, n, reluGroups, firstOp, opRuns: Int32Array.from(runs), leaves: Int32Array.from(leaves),
      layers: layers.map((l, li) => ({ path: l.path, squash: Int32Array.from(squash[li]), params: Int32Array.from(params[li]), ops: ops[li].length, firstOp: ops[li][0], first: first[li], keys: layerKeys(l.path) })),
    };
    return this.shape;
  }
}

/**
 * Whether every number is finite (Σ x·0 is 0 unless some x is NaN or ±Infinity), and Σ grad² over each run
 * (start, end, layer) into out[layer], zeroed first. Every reported step, so it reads what it must only:
 *  - data: every node's, or only the leaves' when the engine vouches for the op nodes' (`opDataFinite`): a
 *    pass over data long out of cache was most of this check;
 *  - grads: the leaves' (and the runs', for their sums). A non-finite grad anywhere reaches a leaf:
 *    backward() adds d·g into each input's grad, and d·g is not finite when g is not (whatever d is: 0·∞ is
 *    NaN) or when d is not (√x at 0, even for g = 0); a sum with a term that is not finite is not finite;
 *    every op node has an input, so this goes on down to a leaf.
 */
function scan({ data, grad, n, sel, m, base, opDataFinite }: NodeNumbers, runs: Int32Array, leaves: Int32Array, out: Float64Array): boolean {
  out.fill(0);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = opDataFinite ? n : 0;
  for (; j < m; j++) s0 += data[sel[j]] * 0;
  // Four sums, so consecutive numbers do not wait for each other's add.
  for (const to = base + n - 3; base + j < to; j += 4) {
    const i = base + j;
    s0 += data[i] * 0;
    s1 += data[i + 1] * 0;
    s2 += data[i + 2] * 0;
    s3 += data[i + 3] * 0;
  }
  for (; j < n; j++) s0 += data[base + j] * 0;
  for (let q = 0; q < leaves.length; q++) {
    const l = leaves[q], i = l < m ? sel[l] : base + l;
    s1 += data[i] * 0 + grad[i] * 0;
  }
  // The runs' Σ grad² (their finiteness is the leaves'), four sums at a time.
  for (let r = 0; r < runs.length; r += 3) {
    const end = runs[r + 1];
    let q = runs[r], a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (; q < end && q < m; q++) a0 += grad[sel[q]] ** 2;
    for (const to = base + end - 3; base + q < to; q += 4) {
      const i = base + q, g0 = grad[i], g1 = grad[i + 1], g2 = grad[i + 2], g3 = grad[i + 3];
      a0 += g0 * g0;
      a1 += g1 * g1;
      a2 += g2 * g2;
      a3 += g3 * g3;
    }
    for (; q < end; q++) a0 += grad[base + q] ** 2;
    out[runs[r + 2]] += a0 + a1 + a2 + a3;
  }
  return s0 + s1 + s2 + s3 === 0;
}

/** A copy of the numbers in node order: a report of every node's numbers, or a non-finite step's description (it walks the graph). */
export function inNodeOrder({ data, grad, n, sel, m, base }: NodeNumbers): { data: Float64Array<ArrayBuffer>; grad: Float64Array<ArrayBuffer> } {
  const d = new Float64Array(n), g = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    d[j] = data[sel[j]];
    g[j] = grad[sel[j]];
  }
  if (n > m) {
    d.set(data.subarray(base + m, base + n), m);
    g.set(grad.subarray(base + m, base + n), m);
  }
  return { data: d, grad: g };
}

/** The first non-finite node, forward (data) then backward (grad), described with its op and inputs. */
export function nanOrigin(t: GraphTopology, data: Float64Array, grad: Float64Array, step: number): RawFinding | null {
  const n = t.op.length;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(data[i])) continue;
    const op = OPS[t.op[i]].name;
    const detail = t.op[i] === OP.leaf
      ? `${nodeName(t, i)} is ${formatNumber(data[i])} (a leaf: the model or its optimizer set it), first non-finite value in step ${step}`
      : `${describeOp(t, data, i)} → ${formatNumber(data[i])}, first non-finite value in step ${step} (forward)`;
    return { kind: "nan-origin", step, node: i, label: nodeName(t, i), op, loc: t.loc[i], detail };
  }
  for (let i = n - 1; i >= 0; i--) {
    if (Number.isFinite(grad[i])) continue;
    // Which consumer passed it a non-finite gradient with a finite grad of its own: its local derivative blew up.
    for (let c = i + 1; c < n; c++) {
      if ((t.in0[c] !== i && t.in1[c] !== i) || !Number.isFinite(grad[c])) continue;
      const which = t.in0[c] === i ? 0 : 1;
      const d = localDerivative(t, data, c, which);
      if (Number.isFinite(d)) continue;
      return {
        kind: "nan-origin", step, node: c, label: nodeName(t, c), op: OPS[t.op[c]].name, loc: t.loc[c],
        detail: `the local derivative of ${describeOp(t, data, c)} with respect to ${nodeName(t, i)} is ${formatNumber(d)}, so ${nodeName(t, i)}.grad = ${formatNumber(grad[i])}: first non-finite gradient in step ${step} (backward)`,
      };
    }
    return { kind: "nan-origin", step, node: i, label: nodeName(t, i), op: OPS[t.op[i]].name, loc: t.loc[i], detail: `${nodeName(t, i)}.grad = ${formatNumber(grad[i])}, first non-finite gradient in step ${step} (backward)` };
  }
  return null;
}

/** `log(0)`, `x × y` with the numbers: `log of 0`, `0 ÷ 0`. */
function describeOp(t: GraphTopology, data: Float64Array, i: number): string {
  const o = OPS[t.op[i]];
  const x = formatNumber(operandX(t, data, i)), y = formatNumber(operandY(t, data, i));
  if (o.name === "pow") return `${x} ^ ${y}`;
  if (o.arity === 2) return `${x} ${o.symbol} ${y}`;
  if (o.name === "neg") return `−${x}`;
  return `${o.name} of ${x}`;
}

/** A condition held at this many checked steps in a row, the first of them `since`. */
interface Run { run: number; since: number }

function extend(r: Run | undefined, step: number): Run {
  return r && r.run > 0 ? { run: r.run + 1, since: r.since } : { run: 1, since: step };
}

/**
 * "10 steps in a row" when every step between was checked; a throttled run checks the steps it reports only,
 * and then says so: "at all 10 steps checked from step 40 to step 73".
 */
function runText(r: Run, step: number): string {
  return step - r.since + 1 === r.run ? `${r.run} steps in a row` : `at all ${r.run} steps checked from step ${r.since} to step ${step}`;
}
