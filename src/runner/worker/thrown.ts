import { inspect, types } from "node:util";
import type { Thrown } from "../../protocol/worker";

/**
 * What a model threw, as text: `RangeError: x too big` for an Error (with its raw
 * stack, which the runner process maps to the user's files), and for anything
 * else what console.log would print (`throw {code: 7}` → `Uncaught { code: 7 }`).
 * Never throws itself, whatever getters or proxies the value has.
 */
export function describeThrown(err: unknown, loc: number): Thrown {
  try {
    if (types.isNativeError(err) || err instanceof Error) {
      const e = err as Error;
      const stack = typeof e.stack === "string" ? e.stack : undefined;
      return { message: `${String(e.name)}: ${String(e.message)}`, name: String(e.name), stack, loc };
    }
    return { message: `Uncaught ${inspect(err, { depth: 3, breakLength: Infinity })}`, loc };
  } catch {
    return { message: "Uncaught a value that cannot be printed", loc };
  }
}
