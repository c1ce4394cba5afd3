/**
 * The step gate shared by the session and the worker: an Int32Array over a
 * SharedArrayBuffer. The worker checks it after every backward() and, when
 * paused, blocks in Atomics.wait until the session changes it; the session
 * never waits on it.
 */
export const Ctl = {
  /** 0 = run, 1 = paused. */
  MODE: 0,
  /** Steps to run before pausing; -1 = no limit. */
  STEPS_LEFT: 1,
  /** Bumped on every change, so a waiting worker wakes. */
  WAKE: 2,
  /** The statement the model is running (index into the locations table), kept current by the worker. */
  LOC: 3,
  SIZE: 4,
} as const;

export const Mode = { run: 0, paused: 1 } as const;

export function createControl(startPaused: boolean): Int32Array {
  const ctl = new Int32Array(new SharedArrayBuffer(Ctl.SIZE * 4));
  ctl[Ctl.MODE] = startPaused ? Mode.paused : Mode.run;
  ctl[Ctl.STEPS_LEFT] = -1;
  ctl[Ctl.LOC] = -1;
  return ctl;
}

/** Session side: set the gate and wake the worker. */
export function setGate(ctl: Int32Array, mode: number, stepsLeft: number): void {
  Atomics.store(ctl, Ctl.STEPS_LEFT, stepsLeft);
  Atomics.store(ctl, Ctl.MODE, mode);
  Atomics.add(ctl, Ctl.WAKE, 1);
  Atomics.notify(ctl, Ctl.WAKE);
}
