import type { OutputLevel, OutputWriter } from "../outputRing";

/**
 * Sends everything the model prints through one ordered path, the output ring:
 * every console method (log, table, dir, trace, …) ends in a write to
 * process.stdout or process.stderr, so capturing those two writes keeps
 * `process.stdout.write`, `console.table` and `console.log` whole and in order.
 * The level wrappers only tag what their write is (warn vs error, info vs log).
 */
export function captureConsole(out: OutputWriter): void {
  let tagged: OutputLevel | undefined;
  // Write callbacks run on the next tick, counted per function as Node's streams do: console.log passes
  // the same callback on every call, and a tick each for a million lines in a loop is a million objects.
  const callbacks = new Map<() => void, number>();
  const runCallbacks = () => {
    const due = [...callbacks];
    callbacks.clear();
    for (const [cb, n] of due) for (let i = 0; i < n; i++) cb();
  };
  const capture = (fallback: OutputLevel) =>
    function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : String(chunk);
      out.write(tagged ?? fallback, text);
      const cb = (typeof encoding === "function" ? encoding : callback) as (() => void) | undefined;
      if (typeof cb === "function") {
        if (callbacks.size === 0) process.nextTick(runCallbacks);
        callbacks.set(cb, (callbacks.get(cb) ?? 0) + 1);
      }
      return true;
    };
  process.stdout.write = capture("log") as typeof process.stdout.write;
  process.stderr.write = capture("error") as typeof process.stderr.write;
  for (const level of ["info", "warn", "debug"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      tagged = level;
      try {
        original(...args);
      } finally {
        tagged = undefined;
      }
    };
  }
}
