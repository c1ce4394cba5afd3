import type { Snapshot } from "../protocol/graph";

/**
 * Every step's loss, in bounded memory: up to `capacity` points at full
 * resolution; past that, pairs of points are merged (by their mean) and each
 * point stands for twice as many steps. 10^6 steps fit in 8 MB undecimated.
 */
export class LossHistory {
  private values: Float64Array;
  private count = 0;
  /** Steps per stored point. */
  private stride = 1;
  private partialSum = 0;
  private partialCount = 0;
  /** Total steps recorded. */
  steps = 0;

  constructor(private readonly capacity = 1 << 20) {
    this.values = new Float64Array(Math.min(capacity, 1024));
  }

  append(losses: ArrayLike<number>): void {
    for (let i = 0; i < losses.length; i++) {
      this.steps++;
      this.partialSum += losses[i];
      if (++this.partialCount < this.stride) continue;
      this.push(this.partialSum / this.partialCount);
      this.partialSum = 0;
      this.partialCount = 0;
    }
  }

  /** The stored curve: point i covers steps from i·stride + 1 onwards. */
  curve(): { stride: number; losses: Float64Array } {
    return { stride: this.stride, losses: this.values.slice(0, this.count) };
  }

  last(): number | undefined {
    return this.count > 0 ? this.values[this.count - 1] : undefined;
  }

  private push(x: number): void {
    if (this.count === this.values.length) {
      if (this.values.length < this.capacity) {
        const grown = new Float64Array(Math.min(this.capacity, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      } else {
        for (let i = 0; i < this.count / 2; i++) this.values[i] = (this.values[2 * i] + this.values[2 * i + 1]) / 2;
        this.count = Math.floor(this.count / 2);
        this.stride *= 2;
      }
    }
    this.values[this.count++] = x;
  }
}

/** The last few full snapshots, for going back in time. */
export class SnapshotRing {
  private readonly byStep = new Map<number, Snapshot>();
  constructor(private readonly capacity: number) {}

  add(s: Snapshot): void {
    this.byStep.set(s.step, s);
    while (this.byStep.size > this.capacity) this.byStep.delete(this.byStep.keys().next().value!);
  }
  at(step: number): Snapshot | undefined {
    return this.byStep.get(step);
  }
  steps(): number[] {
    return [...this.byStep.keys()];
  }
  latest(): Snapshot | undefined {
    let last: Snapshot | undefined;
    for (const s of this.byStep.values()) last = s;
    return last;
  }
  clear(): void {
    this.byStep.clear();
  }
}
