import type { GraphTopology, ParamUpdate } from "../protocol/graph";
import type { Histogram, LayerStat } from "../protocol/insight";
import { NodeKind, OP } from "../protocol/ops";

/** |t| above this counts a tanh output as saturated (sigmoid: |2s − 1|): Karpathy's lecture on activations and gradients. */
export const SATURATION_LEVEL = 0.97;

/**
 * Layers of a grouped graph: a group whose subgroups are all leaves of the
 * group tree (an MLP layer, whose subgroups are its neurons) is one layer with
 * them; any other group holding nodes is a layer by itself. Nodes at the top
 * level (no group) are not a layer.
 */
export interface Layer {
  path: string;
  groups: number[];
}

export function layersOf(t: GraphTopology): Layer[] {
  const paths = t.groups;
  const parentOf = (p: string) => {
    const cut = p.lastIndexOf("/");
    return cut > 0 ? p.slice(0, cut) : null;
  };
  // Groups with subgroups (whether or not they hold nodes themselves).
  const inner = new Set<string>();
  for (const p of paths) for (let q = parentOf(p); q !== null; q = parentOf(q)) inner.add(q);
  const nodes = new Int32Array(paths.length);
  for (let i = 0; i < t.group.length; i++) if (t.group[i] >= 0) nodes[t.group[i]]++;
  const layers = new Map<string, number[]>();
  const count = new Map<string, number>();
  for (let g = 0; g < paths.length; g++) {
    const p = paths[g], parent = parentOf(p);
    // A leaf group (a neuron) belongs to its parent's layer (MLP/layer1/neuron3 → MLP/layer1).
    const key = !inner.has(p) && parent !== null ? parent : p;
    const list = layers.get(key) ?? [];
    list.push(g);
    layers.set(key, list);
    count.set(key, (count.get(key) ?? 0) + nodes[g]);
  }
  return [...layers].filter(([path]) => count.get(path)! > 0).map(([path, groups]) => ({ path, groups }));
}

/** Layer index per group (−1 for none). */
export function layerOfGroup(t: GraphTopology, layers: Layer[]): Int32Array {
  const of = new Int32Array(t.groups.length).fill(-1);
  layers.forEach((l, li) => l.groups.forEach((g) => (of[g] = li)));
  return of;
}

export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let min = Infinity, max = -Infinity, nonFinite = 0, sum = 0, sq = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    sq += x * x;
    n++;
  }
  const counts = new Array<number>(bins).fill(0);
  if (n === 0) return { min: 0, max: 0, counts, nonFinite, mean: NaN, std: NaN };
  const width = max - min;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const b = width === 0 ? Math.floor(bins / 2) : Math.min(bins - 1, Math.floor(((x - min) / width) * bins));
    counts[b]++;
  }
  const mean = sum / n;
  return { min, max, counts, nonFinite, mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

const isActivation = (op: number) => op === OP.tanh || op === OP.sigmoid || op === OP.relu;

/**
 * Karpathy's per-layer diagnostics for one step: histograms of the layer's
 * activations (its tanh/sigmoid/ReLU outputs; all its op nodes when it has
 * none) and of their gradients, the saturated and dead shares, and
 * log10(rms(update) / rms(data)) over the layer's parameters for the updates
 * that led to this step (~−3 is healthy for SGD).
 */
export function layerStats(t: GraphTopology, data: Float64Array, grad: Float64Array, updates: ParamUpdate[], bins = 20): LayerStat[] {
  const layers = layersOf(t);
  const of = layerOfGroup(t, layers);
  const L = layers.length;
  const hasAct = new Uint8Array(L);
  for (let i = 0; i < t.op.length; i++) {
    const g = t.group[i];
    if (g >= 0 && of[g] >= 0 && isActivation(t.op[i])) hasAct[of[g]] = 1;
  }
  const acts: number[][] = layers.map(() => []), grads: number[][] = layers.map(() => []);
  const opNames: Set<string>[] = layers.map(() => new Set());
  const sat = new Float64Array(L), satN = new Float64Array(L), dead = new Float64Array(L), reluN = new Float64Array(L), params = new Int32Array(L);
  const upd2 = new Float64Array(L), dat2 = new Float64Array(L), updN = new Int32Array(L);
  const updateOf = new Map<number, ParamUpdate>();
  for (const u of updates) if (u.node >= 0) updateOf.set(u.node, u);
  for (let i = 0; i < t.op.length; i++) {
    const g = t.group[i];
    if (g < 0) continue;
    const li = of[g];
    if (li < 0) continue;
    const op = t.op[i];
    if (op === OP.leaf) {
      if (t.kind[i] !== NodeKind.param) continue;
      params[li]++;
      const u = updateOf.get(i);
      if (u) {
        upd2[li] += (u.after - u.before) ** 2;
        dat2[li] += u.before ** 2;
        updN[li]++;
      }
      continue;
    }
    if (hasAct[li] && !isActivation(op)) continue;
    acts[li].push(data[i]);
    grads[li].push(grad[i]);
    opNames[li].add(op === OP.tanh ? "tanh" : op === OP.sigmoid ? "sigmoid" : op === OP.relu ? "relu" : "op");
    if (op === OP.tanh || op === OP.sigmoid) {
      satN[li]++;
      const s = op === OP.tanh ? data[i] : 2 * data[i] - 1;
      if (Math.abs(s) > SATURATION_LEVEL) sat[li]++;
    } else if (op === OP.relu) {
      reluN[li]++;
      if (data[i] === 0) dead[li]++;
    }
  }
  return layers.map((l, li) => ({
    path: l.path,
    groups: l.groups,
    activationOp: hasAct[li] ? [...opNames[li]].join("/") : "all",
    activations: histogram(acts[li], bins),
    gradients: histogram(grads[li], bins),
    saturated: satN[li] ? sat[li] / satN[li] : null,
    dead: reluN[li] ? dead[li] / reluN[li] : null,
    updateRatioLog10: updN[li] && dat2[li] > 0 ? Math.log10(Math.sqrt(upd2[li] / updN[li]) / Math.sqrt(dat2[li] / updN[li])) : null,
    parameters: params[li],
  }));
}
