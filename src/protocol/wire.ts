/**
 * Webview messages cross as JSON (typed arrays aside), where NaN and ±Infinity
 * become null: a step whose loss is Infinity — exactly the step a learner must
 * see — would fail validation and be dropped. Non-finite numbers outside typed
 * arrays therefore cross as tagged strings, encoded by the sender and decoded
 * by the receiver before validation. Typed arrays keep their own bytes.
 */
const TAG = "\u0000number:";

/** The message with every NaN / ±Infinity outside typed arrays replaced by its tagged string. */
export function encodeNonFinite<T>(value: T): T {
  return walk(value, (x) => (typeof x === "number" && !Number.isFinite(x) ? TAG + String(x) : x)) as T;
}

/** The inverse of encodeNonFinite: tagged strings back to NaN / ±Infinity. */
export function decodeNonFinite<T>(value: T): T {
  return walk(value, (x) => (typeof x === "string" && x.startsWith(TAG) ? Number(x.slice(TAG.length)) : x)) as T;
}

function walk(value: unknown, leaf: (x: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, leaf));
  if (value !== null && typeof value === "object") {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, leaf);
    return out;
  }
  return leaf(value);
}
