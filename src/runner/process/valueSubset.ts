import type { GraphTopology, GraphValues } from "../../protocol/graph";
import { NodeKind } from "../../protocol/ops";
import type { RunSpec } from "../../protocol/runner";

/**
 * The numbers a host asked for (RunSpec.values): every node's, only the
 * leaves' (inputs and parameters: what the CLI prints, so a moons step crosses
 * to the host as ~5 KB instead of ~1 MB), or none. The first of the per-host
 * payloads the runner process computes (phase 2: visible nodes, aggregates).
 */
export class ValueSubset {
  private cached: { hash: string; ids: Int32Array<ArrayBuffer> } | undefined;

  constructor(private readonly which: RunSpec["values"]) {}

  /** All values as they are, or the chosen nodes' values with their ids (`subset`). */
  pick(t: GraphTopology, all: GraphValues): { values: GraphValues; subset?: Int32Array<ArrayBuffer> } {
    if (this.which === "all") return { values: all };
    const ids = this.idsFor(t);
    const data = new Float64Array(ids.length), grad = new Float64Array(ids.length);
    for (let j = 0; j < ids.length; j++) {
      data[j] = all.data[ids[j]];
      grad[j] = all.grad[ids[j]];
    }
    return { values: { data, grad }, subset: ids };
  }

  /** The chosen node ids, once per topology. */
  private idsFor(t: GraphTopology): Int32Array<ArrayBuffer> {
    if (this.cached?.hash === t.hash) return this.cached.ids;
    const ids: number[] = [];
    if (this.which === "leaves") for (let i = 0; i < t.kind.length; i++) if (t.kind[i] !== NodeKind.value) ids.push(i);
    this.cached = { hash: t.hash, ids: Int32Array.from(ids) };
    return this.cached.ids;
  }
}
