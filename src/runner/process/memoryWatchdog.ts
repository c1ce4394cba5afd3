/**
 * The model's memory limit, checked from the runner process's main thread
 * (which the model never blocks) every CHECK_MS.
 *
 * What counts: the resident memory (RSS) of the model's whole process, minus
 * the baseline measured right before the model's first line ran (Node, the
 * engine, the compiled model: Gradscope's own footprint, ~40–60 MB, reported
 * in the error). RSS covers everything the model can hold — JS heap, typed
 * arrays, Buffers, native allocations — in every thread; V8's heap limit and
 * process.memoryUsage().arrayBuffers see only one isolate, so they cannot.
 * Pages the model allocated but never touched are not resident and do not
 * count: they cost no memory. Between two checks a model can overshoot by what
 * it allocates in CHECK_MS.
 */
export const CHECK_MS = 50;

export interface MemoryOverrun {
  limitMb: number;
  usedMb: number;
  baselineMb: number;
}

export class MemoryWatchdog {
  private baseline: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limitMb: number, private readonly onOverrun: (o: MemoryOverrun) => void) {}

  /** Starts watching; `baselineBytes` is the process's RSS before user code ran. Only the first call counts. */
  start(baselineBytes: number): void {
    if (this.baseline !== undefined) return;
    this.baseline = baselineBytes;
    this.timer = setInterval(() => this.check(), CHECK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const used = process.memoryUsage.rss() - this.baseline!;
    if (used <= this.limitMb * 2 ** 20) return;
    this.stop();
    const mb = (b: number) => Math.round(b / 2 ** 20);
    this.onOverrun({ limitMb: this.limitMb, usedMb: mb(used), baselineMb: mb(this.baseline!) });
  }
}
