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
    }
  }

  /** The stored curve: point i covers steps from i·stride + 1 onwards. */
  curve(): { stride: number; losses: Float64Array } {
    return { stride: this.stride, losses: this.values.slice(0, this.count) };
  }

  last(): number | undefined {
    return this.count > 0 ? this.values[this.count - 1] : undefined;
  }

  /** Stores a full point (the mean of `stride` steps) and clears the partial sum. */
  private push(x: number): void {
    this.partialSum = 0;
    this.partialCount = 0;
    if (this.count < this.values.length) {
      this.values[this.count++] = x;
      return;
    }
    if (this.values.length < this.capacity) {
      const grown = new Float64Array(Math.min(this.capacity, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
      this.values[this.count++] = x;
      return;
    }
    // Full: merge pairs and double the stride. x and an unpaired last point now cover only half
    // a point each, so they become the partial sum of the next point instead of points of their own.
    const half = this.stride;
    const pairs = this.count >> 1;
    for (let i = 0; i < pairs; i++) this.values[i] = (this.values[2 * i] + this.values[2 * i + 1]) / 2;
    if (this.count % 2 === 1) this.addPartial(this.values[this.count - 1], half);
    this.count = pairs;
    this.stride *= 2;
    this.addPartial(x, half);
    if (this.partialCount >= this.stride) this.push(this.partialSum / this.partialCount);
  }

  private addPartial(mean: number, steps: number): void {
    this.partialSum += mean * steps;
    this.partialCount += steps;
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
