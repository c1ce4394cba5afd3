/**
 * Layered layout that exploits the autograd graph's own shape: a layer is
 * 1 + the deepest input's layer (longest path), except that a source (a
 * parameter, an input) sits just before its first consumer instead of in one
 * crowded first layer; rows are ordered by a few barycenter sweeps. Linear in
 * nodes + edges, so it runs on every visible graph without dagre/ELK's
 * super-linear cost. Orientation-free: drawing.ts turns layers and rows into
 * columns (left to right) or rows (top to bottom).
 */

export interface LayoutInput {
  count: number;
  /** Edges as [from0, to0, from1, to1, ...]; duplicates and self-loops are tolerated. */
  edges: Int32Array;
}

export interface LayoutResult {
  layer: Int32Array;
  /** Row inside the layer, 0 at the top. */
  row: Int32Array;
  layerCount: number;
  maxRows: number;
}

export function layeredLayout({ count, edges }: LayoutInput): LayoutResult {
  const { outStart, outList, inStart, inList } = adjacency(count, edges);
  const layer = longestPathLayers(count, outStart, outList, inStart);
  pullSourcesForward(count, layer, outStart, outList, inStart);
  let layerCount = 0;
  for (let i = 0; i < count; i++) layerCount = Math.max(layerCount, layer[i] + 1);

  const byLayer: number[][] = Array.from({ length: layerCount }, () => []);
  for (let i = 0; i < count; i++) byLayer[layer[i]].push(i);
  const row = new Int32Array(count);
  const assignRows = () => byLayer.forEach((nodes) => nodes.forEach((n, r) => (row[n] = r)));
  assignRows();
  // Barycenter sweeps: pull each node towards its inputs, then towards its consumers.
  const sweep = (start: Int32Array, list: Int32Array, layers: number[][]) => {
    const key = new Float64Array(count);
    for (const nodes of layers) {
      for (const n of nodes) {
        let s = 0, c = 0;
        for (let e = start[n]; e < start[n + 1]; e++) { s += row[list[e]]; c++; }
        key[n] = c > 0 ? s / c : row[n];
      }
      nodes.sort((a, b) => key[a] - key[b] || a - b);
      nodes.forEach((n, r) => (row[n] = r));
    }
  };
  for (let pass = 0; pass < 2; pass++) {
    sweep(inStart, inList, byLayer);
    sweep(outStart, outList, byLayer.slice().reverse());
  }
  sweep(inStart, inList, byLayer);
  let maxRows = 0;
  for (const nodes of byLayer) maxRows = Math.max(maxRows, nodes.length);
  return { layer, row, layerCount, maxRows };
}

function adjacency(count: number, edges: Int32Array) {
  const outStart = new Int32Array(count + 1);
  const inStart = new Int32Array(count + 1);
  for (let e = 0; e < edges.length; e += 2) {
    if (edges[e] === edges[e + 1]) continue;
    outStart[edges[e] + 1]++;
    inStart[edges[e + 1] + 1]++;
  }
  for (let i = 0; i < count; i++) { outStart[i + 1] += outStart[i]; inStart[i + 1] += inStart[i]; }
  const outList = new Int32Array(outStart[count]);
  const inList = new Int32Array(inStart[count]);
  const of = outStart.slice(0, count), inf = inStart.slice(0, count);
  for (let e = 0; e < edges.length; e += 2) {
    const a = edges[e], b = edges[e + 1];
    if (a === b) continue;
    outList[of[a]++] = b;
    inList[inf[b]++] = a;
  }
  return { outStart, outList, inStart, inList };
}

/** Kahn's algorithm with longest-path layering; nodes left on a cycle (possible between collapsed groups) keep layer 0 + their known inputs. */
function longestPathLayers(count: number, outStart: Int32Array, outList: Int32Array, inStart: Int32Array): Int32Array {
  const layer = new Int32Array(count);
  const pending = new Int32Array(count);
  for (let i = 0; i < count; i++) pending[i] = inStart[i + 1] - inStart[i];
  const queue = new Int32Array(count);
  let head = 0, tail = 0;
  for (let i = 0; i < count; i++) if (pending[i] === 0) queue[tail++] = i;
  while (head < tail) {
    const n = queue[head++];
    for (let e = outStart[n]; e < outStart[n + 1]; e++) {
      const m = outList[e];
      if (layer[m] < layer[n] + 1) layer[m] = layer[n] + 1;
      if (--pending[m] === 0) queue[tail++] = m;
    }
  }
  return layer;
}

/**
 * A source waits in the layer just before its earliest consumer (`w` of
 * layer 3 is drawn next to layer 3, not with the inputs), unless that layer
 * is already more crowded than the one it would leave.
 */
function pullSourcesForward(count: number, layer: Int32Array, outStart: Int32Array, outList: Int32Array, inStart: Int32Array): void {
  let layers = 0;
  for (let i = 0; i < count; i++) layers = Math.max(layers, layer[i] + 1);
  const size = new Int32Array(layers);
  for (let i = 0; i < count; i++) size[layer[i]]++;
  for (let i = 0; i < count; i++) {
    if (inStart[i + 1] > inStart[i] || outStart[i + 1] === outStart[i]) continue;
    let earliest = Infinity;
    for (let e = outStart[i]; e < outStart[i + 1]; e++) earliest = Math.min(earliest, layer[outList[e]]);
    const to = earliest - 1;
    if (to <= layer[i] || size[to] >= size[layer[i]]) continue;
    size[layer[i]]--;
    size[to]++;
    layer[i] = to;
  }
}
