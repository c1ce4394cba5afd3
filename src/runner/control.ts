/**
 * The step gate shared by the runner process and the model worker: an
 * Int32Array over a SharedArrayBuffer. One word, GATE, says how many more steps
 * may run (RUN_FREE: no limit, 0: paused), so the runner's writes and the
 * worker's countdown cannot interleave into a lost command: the runner stores,
 * the worker counts down with compareExchange. A paused worker blocks in
 * Atomics.wait; the runner process never waits. HOLD is flow control, not a
 * pause: while the host is behind (its channel backed up, or its own output
 * full) the worker waits after backward() without the run looking paused.
 */
export const Ctl = {
  /** Steps left before pausing: RUN_FREE = run on, 0 = paused, n > 0 = n more steps. */
  GATE: 0,
  /** Bumped on every change, so a waiting worker wakes. */
  WAKE: 1,
  /** The statement the model is running (index into the locations table), kept current by the worker. */
  LOC: 2,
  /** 1 while the host is behind: the worker waits after its next backward() until it is 0 again. */
  HOLD: 3,
  SIZE: 4,
} as const;

export const RUN_FREE = -1;

export function createControl(startPaused: boolean): Int32Array {
  const ctl = new Int32Array(new SharedArrayBuffer(Ctl.SIZE * 4));
  ctl[Ctl.GATE] = startPaused ? 0 : RUN_FREE;
  ctl[Ctl.LOC] = -1;
  return ctl;
}

/** Runner side: set the gate (RUN_FREE, 0 to pause, or n steps) and wake the worker. */
export function setGate(ctl: Int32Array, steps: number): void {
  Atomics.store(ctl, Ctl.GATE, steps);
  Atomics.add(ctl, Ctl.WAKE, 1);
  Atomics.notify(ctl, Ctl.WAKE);
}

/** Runner side: hold the worker at its next backward() (flow control), or let it go on. */
export function setHold(ctl: Int32Array, on: boolean): void {
  if (Atomics.exchange(ctl, Ctl.HOLD, on ? 1 : 0) === (on ? 1 : 0)) return;
  Atomics.add(ctl, Ctl.WAKE, 1);
  Atomics.notify(ctl, Ctl.WAKE);
}

/** Worker side: blocks while the host is behind. */
export function waitWhileHeld(ctl: Int32Array): void {
  for (;;) {
    const wake = Atomics.load(ctl, Ctl.WAKE);
    if (Atomics.load(ctl, Ctl.HOLD) === 0) return;
    Atomics.wait(ctl, Ctl.WAKE, wake);
  }
}

/** Worker side, after a step: uses up one step of a limited gate. Returns true when the worker should now pause. */
export function passGate(ctl: Int32Array): boolean {
  for (;;) {
    const g = Atomics.load(ctl, Ctl.GATE);
    if (g <= 0) return g === 0;
    // The session may have changed the gate since we read it: then read again.
    if (Atomics.compareExchange(ctl, Ctl.GATE, g, g - 1) === g) return g - 1 === 0;
  }
}

/** Worker side: blocks while the gate is closed. */
export function waitForGate(ctl: Int32Array): void {
  for (;;) {
    const wake = Atomics.load(ctl, Ctl.WAKE);
    if (Atomics.load(ctl, Ctl.GATE) !== 0) return;
    Atomics.wait(ctl, Ctl.WAKE, wake);
  }
}
