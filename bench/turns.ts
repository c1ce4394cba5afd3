/** One of two runs that take turns (bench/lockstep.ts: worker threads; bench/processTurns.ts: processes). */
export interface Contestant<R> {
  /** Holds it where it is. */
  stop(): void;
  /** Lets it run on. */
  resume(): void;
  /** What it measured, once it has finished. */
  result: Promise<R>;
}

/**
 * Starts a and b (b first when asked) and lets them take turns every turnMs, the first started running
 * first, so a drift of the machine lands on both; once one has finished, the other runs on alone.
 * Resolves to both results.
 */
export async function takeTurns<R>(a: () => Contestant<R>, b: () => Contestant<R>, bFirst: boolean, turnMs: number): Promise<[R, R]> {
  let ca: Contestant<R>, cb: Contestant<R>;
  if (bFirst) [cb, ca] = [b(), a()];
  else [ca, cb] = [a(), b()];
  const order = bFirst ? [cb, ca] : [ca, cb];
  let turn = 0, ended = false;
  order[1].stop();
  const timer = setInterval(() => {
    if (ended) return;
    order[turn].stop();
    turn ^= 1;
    order[turn].resume();
  }, turnMs);
  const settled = (p: Promise<R>) => p.then(() => undefined, () => undefined);
  void Promise.race([settled(ca.result), settled(cb.result)]).then(() => {
    ended = true;
    clearInterval(timer);
    order.forEach((c) => c !== order[turn] && c.resume());
  });
  return Promise.all([ca.result, cb.result]);
}

/** Ratios over rounds: "×median (quartiles ×q1–q3, range ×min–max)". */
export function ratioSpread(xs: number[]): string {
  const s = xs.filter(Number.isFinite).sort((p, q) => p - q);
  return `×${s[s.length >> 1].toFixed(2)} (quartiles ×${s[s.length >> 2].toFixed(2)}–${s[(3 * s.length) >> 2].toFixed(2)}, range ×${s[0].toFixed(2)}–${s[s.length - 1].toFixed(2)})`;
}
