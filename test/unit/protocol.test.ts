import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/protocol/graph";
import { snapshotFromJSON, snapshotToJSON } from "../../src/graph/snapshotJson";
import { opText, OP } from "../../src/protocol/ops";
import { parseHostMessage, parseViewMessage } from "../../src/protocol/panel";

const seed = (): Snapshot => ({
  step: 1,
  loss: 49,
  topology: {
    hash: "h", op: Uint8Array.of(0, 0, OP.mul, OP.add, OP.pow), kind: Uint8Array.of(1, 1, 0, 0, 0),
    in0: Int32Array.of(-1, -1, 0, 2, 3), in1: Int32Array.of(-1, -1, 1, -1, -1), k: Float64Array.of(NaN, NaN, NaN, 1, 2),
    label: ["a", "b", null, "d", "loss"], loc: Int32Array.of(0, 0, 0, 0, 0), locations: [{ file: "/m.ts", line: 1, column: 1 }],
    group: Int32Array.of(-1, -1, -1, -1, -1), groups: [],
  },
  values: { data: Float64Array.of(2, 3, 6, 7, 49), grad: Float64Array.of(42, 28, 14, 14, NaN) },
  updates: [],
});

describe("protocol", () => {
  it("validates a real graph/set and numbers-only update, NaN included", () => {
    const s = seed();
    expect(parseHostMessage({ type: "graph/set", step: 1, loss: NaN, topology: s.topology, values: s.values, updates: [] }).ok).toBe(true);
    expect(parseHostMessage({ type: "step/update", step: 2, loss: Infinity, values: s.values, updates: [] }).ok).toBe(true);
  });

  it("rejects malformed messages with a readable reason", () => {
    const s = seed();
    const cyclic = { ...s.topology, in0: Int32Array.of(-1, -1, 4, 2, 3) };
    for (const bad of [
      null, 42, { type: "graph/drop" }, { type: "control/runN", n: 0 }, { type: "control/runN", n: "5" },
      { type: "graph/set", step: 1, loss: 1, topology: cyclic, values: s.values, updates: [] },
      { type: "graph/set", step: 1, loss: 1, topology: { ...s.topology, k: [1, 2, 3, 4, 5] }, values: s.values, updates: [] },
      { type: "step/update", step: 1, loss: 1, values: { data: [1], grad: [2] }, updates: [] },
    ]) {
      const r = bad !== null && typeof bad === "object" && "type" in bad && String(bad.type).startsWith("control") ? parseViewMessage(bad) : parseHostMessage(bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^invalid message/);
    }
    expect(parseViewMessage({ type: "control/runN", n: 10 }).ok).toBe(true);
    expect(parseViewMessage({ type: "node/reveal", node: -1 }).ok).toBe(false);
  });

  it("snapshot JSON round-trips, NaN included", () => {
    const back = snapshotFromJSON(JSON.parse(JSON.stringify(snapshotToJSON(seed()))));
    expect(Array.from(back.values.grad)).toEqual([42, 28, 14, 14, NaN]);
    expect(Array.from(back.topology.k)).toEqual([NaN, NaN, NaN, 1, 2]);
    expect(back.topology.label).toEqual(["a", "b", null, "d", "loss"]);
    expect(() => snapshotFromJSON({ format: "other" } as never)).toThrow(/not a Gradscope snapshot/);
  });

  it("op text folds the constant in: + 1, ^2, 2 −", () => {
    expect(opText(OP.add, 1, false)).toBe("+ 1");
    expect(opText(OP.pow, 2, false)).toBe("^2");
    expect(opText(OP.sub, 2, true)).toBe("2 −");
    expect(opText(OP.tanh, NaN, false)).toBe("tanh");
  });

  it("a fixture recorded from a real run parses (scripts/record-fixtures.mjs records them)", () => {
    const text = readFileSync("test/fixtures/chain-rule.snapshot.json", "utf8");
    expect(Array.from(snapshotFromJSON(JSON.parse(text)).values.grad)).toEqual([42, 28, 14, 14, 1]);
  });
});

describe("webview messages through JSON (how VS Code carries them)", () => {
  it("a step whose loss is Infinity, with NaN in an update, survives the trip and validates", async () => {
    const { encodeNonFinite, decodeNonFinite } = await import("../../src/protocol/wire");
    const { parseHostMessage } = await import("../../src/protocol/panel");
    const msg = {
      type: "step/update", step: 5, loss: Infinity,
      values: { data: new Float64Array([1, -Infinity]), grad: new Float64Array([NaN, 2]) },
      updates: [{ node: 0, label: "w", rule: "sgd" as const, before: 0.5, lr: 0.02, grad: NaN, after: NaN }],
    };
    // Without encoding, JSON turns the loss into null and the panel must drop the step.
    expect(parseHostMessage(JSON.parse(JSON.stringify(msg))).ok).toBe(false);
    // Encoded (typed arrays cross as bytes in VS Code; JSON here would lose them, so they are left out of this trip).
    const { values, ...rest } = encodeNonFinite(msg);
    const back = decodeNonFinite({ ...JSON.parse(JSON.stringify(rest)), values }) as typeof msg;
    const parsed = parseHostMessage(back);
    expect(parsed.ok ? "ok" : parsed.error).toBe("ok");
    expect(back.loss).toBe(Infinity);
    expect(Number.isNaN(back.updates[0].grad)).toBe(true);
    expect(back.values.data[1]).toBe(-Infinity);
    expect(decodeNonFinite(encodeNonFinite({ a: [-Infinity, 1, "x"] }))).toEqual({ a: [-Infinity, 1, "x"] });
  });

  it("a typed array that views a larger buffer is sent with its own bytes only (VS Code sends whole buffers)", async () => {
    const { encodeNonFinite } = await import("../../src/protocol/wire");
    // As Node's IPC hands them over: views into the read buffer that also held a megabyte step report.
    const read = new ArrayBuffer(2 ** 20);
    const data = new Float64Array(read, 1024, 3);
    data.set([1, 2, 3]);
    const own = new Int32Array([7, 8]);
    const sent = encodeNonFinite({ type: "view/update", data, nodes: own, nested: { grad: new Float64Array(read, 64, 2) } });
    expect(sent.data.buffer.byteLength).toBe(24);
    expect(Array.from(sent.data)).toEqual([1, 2, 3]);
    expect(sent.nested.grad.buffer.byteLength).toBe(16);
    // An array that owns its buffer is passed as it is (no copy).
    expect(sent.nodes).toBe(own);
  });
});
