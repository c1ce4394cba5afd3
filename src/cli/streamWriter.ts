/**
 * Writes to stdout or stderr without losing what must arrive and without
 * piling up what may not. Events (JSON lines, step lines) are never dropped:
 * while the reader is behind they queue, and `backedUp` tells the CLI to hold
 * the model. The model's console output is bounded: while the reader is
 * behind, only the newest `maxLines` lines are kept and a note says how many
 * were dropped. A reader that goes away (EPIPE: `| head`) ends writing quietly.
 */
interface Queued {
  /** null once dropped. */
  text: string | null;
  droppable: boolean;
}

export class StreamWriter {
  private queue: Queued[] = [];
  private queuedDroppable = 0;
  /** Where to look for the oldest droppable entry: only moves forward, so dropping is O(1) amortized. */
  private dropCursor = 0;
  private dropped = 0;
  /** Dropped entries still in the queue. */
  private holes = 0;
  private waiting = false;
  private behind = false;
  private _closed = false;
  private readonly onClose: (() => void)[] = [];
  /** Told when the reader falls behind (true) and catches up (false). */
  onBackedUp: (behind: boolean) => void = () => {};

  constructor(private readonly stream: NodeJS.WriteStream, private readonly maxLines = 10_000) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      // Any write error means nobody will read the rest; EPIPE is the usual one.
      void err;
      this.close();
    });
  }

  /** True once the reader has gone away. */
  get closed(): boolean {
    return this._closed;
  }

  /** True while writes are queued behind a slow reader. */
  get backedUp(): boolean {
    return this.waiting;
  }

  /** Calls fn once the reader has gone away. */
  whenClosed(fn: () => void): void {
    if (this._closed) fn();
    else this.onClose.push(fn);
  }

  /** Text that must arrive whole and in order (an event). */
  event(text: string): void {
    this.push(text, false);
  }

  /** The model's output (whole lines): dropped oldest line first when the reader is too far behind. */
  output(text: string): void {
    if (this._closed) return;
    if (!this.waiting) return this.writeNow(text);
    // Queued line by line: the bound is in lines, whatever the size of the batches they came in.
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf("\n", start);
      const stop = end < 0 ? text.length : end + 1;
      this.push(text.slice(start, stop), true);
      start = stop;
    }
  }

  /** Resolves once everything written so far has been handed to the OS (or the reader is gone). */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this._closed) return resolve();
      this.whenClosed(resolve);
      const check = () => (this.queue.length === 0 && !this.waiting ? this.stream.write("", () => resolve()) : this.stream.once("drain", check));
      check();
    });
  }

  private push(text: string, droppable: boolean): void {
    if (this._closed) return;
    if (!this.waiting) return this.writeNow(text);
    this.queue.push({ text, droppable });
    if (!droppable) return;
    this.queuedDroppable++;
    if (this.queuedDroppable <= this.maxLines) return;
    while (!(this.queue[this.dropCursor].droppable && this.queue[this.dropCursor].text !== null)) this.dropCursor++;
    this.queue[this.dropCursor].text = null;
    this.queuedDroppable--;
    this.dropped++;
    // Forget dropped entries once they are half the queue.
    if (++this.holes > this.queue.length / 2 && this.holes > 1024) {
      this.queue = this.queue.filter((q) => q.text !== null);
      this.dropCursor = 0;
      this.holes = 0;
    }
  }

  private writeNow(text: string): void {
    if (this.stream.write(text)) return;
    this.waiting = true;
    this.stream.once("drain", () => this.drain());
    this.setBehind(true);
  }

  private drain(): void {
    this.waiting = false;
    this.writeQueued();
    this.setBehind(this.waiting);
  }

  private setBehind(behind: boolean): void {
    if (behind === this.behind) return;
    this.behind = behind;
    this.onBackedUp(behind);
  }

  private writeQueued(): void {
    if (this.dropped > 0) {
      const note = `[gradscope: ${this.dropped.toLocaleString("en-US")} lines of the model's output dropped while the reader was behind]\n`;
      this.dropped = 0;
      // The note goes where the dropped lines were: before what was kept.
      this.queue.unshift({ text: note, droppable: false });
    }
    const queued = this.queue.filter((q) => q.text !== null);
    this.queue = [];
    this.queuedDroppable = 0;
    this.dropCursor = 0;
    this.holes = 0;
    for (let i = 0; i < queued.length; i++) {
      if (this.waiting) {
        this.queue = queued.slice(i);
        this.queuedDroppable = this.queue.filter((q) => q.droppable).length;
        return;
      }
      this.writeNow(queued[i].text!);
    }
  }

  private close(): void {
    if (this._closed) return;
    this._closed = true;
    this.queue = [];
    for (const fn of this.onClose.splice(0)) fn();
  }
}
