/**
 * Webview messages cross as JSON (typed arrays aside), where NaN and ±Infinity
 * become null: a step whose loss is Infinity — exactly the step a learner must
 * see — would fail validation and be dropped. Non-finite numbers outside typed
 * arrays therefore cross as tagged strings, encoded by the sender and decoded
 * by the receiver before validation. Typed arrays keep their own bytes.
 *
 * VS Code sends a typed array's whole underlying ArrayBuffer, not just its
 * view: an array that Node's IPC deserialized as a view into the runner's read
 * buffer (holding a megabyte step report beside it) would carry that megabyte
 * to the webview on every update. The sender copies such views out.
 */
const TAG = "\u0000number:";

/** The message with every NaN / ±Infinity outside typed arrays replaced by its tagged string. */
export function encodeNonFinite<T>(value: T): T {
  return walk(value, (x) => (typeof x === "number" && !Number.isFinite(x) ? TAG + String(x) : x), ownBytes) as T;
}

/** The inverse of encodeNonFinite: tagged strings back to NaN / ±Infinity. */
export function decodeNonFinite<T>(value: T): T {
  return walk(value, (x) => (typeof x === "string" && x.startsWith(TAG) ? Number(x.slice(TAG.length)) : x)) as T;
}

/** A typed array that is a view into a larger buffer, copied into one of its own size. */
function ownBytes(view: ArrayBufferView): ArrayBufferView {
  if (view.byteLength === view.buffer.byteLength || !("slice" in view)) return view;
  return (view as unknown as { slice(): ArrayBufferView }).slice();
}

function walk(value: unknown, leaf: (x: unknown) => unknown, typed: (x: ArrayBufferView) => unknown = (x) => x): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, leaf, typed));
  if (value !== null && typeof value === "object") {
    if (ArrayBuffer.isView(value)) return typed(value);
    if (value instanceof ArrayBuffer) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, leaf, typed);
    return out;
  }
  return leaf(value);
}
