/**
 * The model's console output, from the worker to the runner process's main
 * thread, through a byte ring in a SharedArrayBuffer: the worker appends
 * records (level + UTF-8 text) without waiting for its own event loop, the
 * runner reads them whenever it is ready. When the ring is full the worker
 * blocks, so a model that prints faster than its output can be shown slows
 * down instead of piling up memory (backpressure), and a model that prints a
 * line and then computes for a minute still shows that line at once.
 *
 * Positions are byte offsets modulo 2·capacity (so full and empty differ);
 * RECORDS counts whole records written. The first output after a message the
 * worker posted is preceded by a marker record with that message's number, so
 * the reader keeps console output and steps in the order the model made them;
 * a model that prints nothing between steps writes no markers at all.
 */
export const OUTPUT_LEVELS = ["log", "info", "warn", "error", "debug"] as const;
export type OutputLevel = (typeof OUTPUT_LEVELS)[number];

const W = 0, R = 1, RECORDS = 2, READER_WAITING = 3, WRITER_WAITING = 4, HEADER_WORDS = 8;
const HEADER_BYTES = 5; // level (1 byte) + length (4 bytes, little endian)
const MARKER = 255;
/** Longer texts are cut (a model printing a 100 MB string should not need 100 MB more to show it). */
export const MAX_RECORD_CHARS = 1 << 20;

export function createOutputRing(capacity = 1 << 20): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_WORDS * 4 + capacity);
}

class Ring {
  protected readonly ctl: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly cap: number;

  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, HEADER_WORDS);
    this.bytes = Buffer.from(sab, HEADER_WORDS * 4);
    this.cap = this.bytes.length;
  }

  protected used(): number {
    return (Atomics.load(this.ctl, W) - Atomics.load(this.ctl, R) + 2 * this.cap) % (2 * this.cap);
  }
}

/** Worker side: appends records; blocks while the ring is full. */
export class OutputWriter extends Ring {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  /** The last message posted, and whether output has followed it yet (then its marker is in the ring). */
  private lastPosted = -1;
  private marked = true;

  /** Message number `seq` is being posted: output from now on comes after it. */
  posted(seq: number): void {
    this.lastPosted = seq;
    this.marked = false;
  }

  write(level: OutputLevel, text: string): void {
    if (!this.marked) this.mark();
    if (text.length > MAX_RECORD_CHARS) text = `${text.slice(0, MAX_RECORD_CHARS)}… [${(text.length - MAX_RECORD_CHARS).toLocaleString("en-US")} more characters]\n`;
    const kind = OUTPUT_LEVELS.indexOf(level);
    const length = Buffer.byteLength(text, "utf8");
    if (HEADER_BYTES + length > this.cap) return this.record(kind, Buffer.from(text, "utf8"));
    // The common case, with no allocation: wait for room for the whole record, encode the text in place.
    while (this.cap - this.used() < HEADER_BYTES + length) this.waitForRoom(HEADER_BYTES + length);
    this.header[0] = kind;
    this.header.writeUInt32LE(length, 1);
    this.put(this.header);
    const w = Atomics.load(this.ctl, W);
    const at = w % this.cap;
    if (at + length <= this.cap) this.bytes.write(text, at, length, "utf8");
    else {
      const body = Buffer.from(text, "utf8");
      body.copy(this.bytes, at, 0, this.cap - at);
      body.copy(this.bytes, 0, this.cap - at);
    }
    Atomics.store(this.ctl, W, (w + length) % (2 * this.cap));
    Atomics.add(this.ctl, RECORDS, 1);
    this.wakeReader();
  }

  /** Marks the place of the last message posted in the output: what follows was written after it. */
  private mark(): void {
    this.marked = true;
    const body = Buffer.alloc(4);
    body.writeUInt32LE(this.lastPosted >>> 0);
    this.record(MARKER, body);
  }

  private record(kind: number, body: Buffer): void {
    this.header[0] = kind;
    this.header.writeUInt32LE(body.length, 1);
    this.put(this.header);
    this.put(body);
    Atomics.add(this.ctl, RECORDS, 1);
    this.wakeReader();
  }

  /** Copies src in, waiting for room as the reader frees it. */
  private put(src: Buffer): void {
    let done = 0;
    while (done < src.length) {
      const free = this.cap - this.used();
      if (free === 0) {
        this.waitForRoom();
        continue;
      }
      const w = Atomics.load(this.ctl, W);
      const at = w % this.cap;
      const n = Math.min(free, src.length - done, this.cap - at);
      src.copy(this.bytes, at, done, done + n);
      Atomics.store(this.ctl, W, (w + n) % (2 * this.cap));
      done += n;
      if (done < src.length) this.wakeReader();
    }
  }

  /** Blocks until the reader frees some room (or `bytes` of it are free already). */
  private waitForRoom(bytes = 1): void {
    const r = Atomics.load(this.ctl, R);
    Atomics.store(this.ctl, WRITER_WAITING, 1);
    this.wakeReader();
    // Re-check after announcing ourselves: the reader may have freed room meanwhile.
    if (this.cap - this.used() < bytes) Atomics.wait(this.ctl, R, r, 1000);
    Atomics.store(this.ctl, WRITER_WAITING, 0);
  }

  private wakeReader(): void {
    if (Atomics.load(this.ctl, READER_WAITING)) Atomics.notify(this.ctl, W);
  }
}

/** Atomics.waitAsync (Node ≥ 16), which the ES2022 library typings do not declare yet. */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
}).waitAsync;

/** Console text, or the place of a worker message (`marker`: its number). */
export type OutputRecord = { level: OutputLevel; text: string; marker?: undefined } | { marker: number };

/** Runner side: reads whole records, never blocks. */
export class OutputReader extends Ring {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private pending: { kind: number; length: number; parts: Buffer[]; got: number } | undefined;
  private recordsRead = 0;
  /** The write position when read() last looked: waitForData waits for it to move. */
  private seenW = 0;

  /** The next whole record, or undefined when none is complete yet. */
  next(): OutputRecord | undefined {
    this.seenW = Atomics.load(this.ctl, W);
    return this.readOne();
  }

  /**
   * True when next() would make progress: a whole record is there, or part of a record longer
   * than the ring (the writer waits for that part to be taken before it can write the rest).
   */
  hasData(): boolean {
    return this.hasRecords() || this.used() >= (this.pending ? 1 : HEADER_BYTES);
  }

  /** True when the writer has written records this reader has not read. */
  hasRecords(): boolean {
    return ((Atomics.load(this.ctl, RECORDS) - this.recordsRead) | 0) > 0;
  }

  /** Resolves when the writer has written since we last looked (at once if it already has): true, or false after timeoutMs. */
  async waitForData(timeoutMs: number): Promise<boolean> {
    // Announce first, then check: a writer that finishes a record after this check sees the flag and wakes us.
    Atomics.store(this.ctl, READER_WAITING, 1);
    let outcome = "ok";
    if (!this.hasRecords()) {
      const r = waitAsync(this.ctl, W, this.seenW, timeoutMs);
      outcome = r.async ? await r.value : r.value;
    }
    Atomics.store(this.ctl, READER_WAITING, 0);
    this.seenW = Atomics.load(this.ctl, W);
    return outcome !== "timed-out";
  }

  private readOne(): OutputRecord | undefined {
    if (!this.pending) {
      if (this.used() < HEADER_BYTES) return undefined;
      this.take(this.header, HEADER_BYTES);
      this.pending = { kind: this.header[0], length: this.header.readUInt32LE(1), parts: [], got: 0 };
    }
    const p = this.pending;
    // The common case, with no copy: the whole body is there in one piece.
    const r = Atomics.load(this.ctl, R);
    const at = r % this.cap;
    if (p.got === 0 && p.kind !== MARKER && this.used() >= p.length && at + p.length <= this.cap) {
      const text = this.bytes.toString("utf8", at, at + p.length);
      Atomics.store(this.ctl, R, (r + p.length) % (2 * this.cap));
      if (Atomics.load(this.ctl, WRITER_WAITING)) Atomics.notify(this.ctl, R);
      this.pending = undefined;
      this.recordsRead = (this.recordsRead + 1) | 0;
      return { level: OUTPUT_LEVELS[p.kind] ?? "log", text };
    }
    while (p.got < p.length) {
      const n = Math.min(this.used(), p.length - p.got);
      if (n === 0) return undefined;
      const part = Buffer.allocUnsafe(n);
      this.take(part, n);
      p.parts.push(part);
      p.got += n;
    }
    this.pending = undefined;
    this.recordsRead = (this.recordsRead + 1) | 0;
    const body = Buffer.concat(p.parts, p.length);
    return p.kind === MARKER ? { marker: body.readUInt32LE(0) } : { level: OUTPUT_LEVELS[p.kind] ?? "log", text: body.toString("utf8") };
  }

  /** Copies n available bytes out and frees their room. */
  private take(dst: Buffer, n: number): void {
    let done = 0;
    while (done < n) {
      const r = Atomics.load(this.ctl, R);
      const at = r % this.cap;
      const k = Math.min(n - done, this.cap - at);
      this.bytes.copy(dst, done, at, at + k);
      Atomics.store(this.ctl, R, (r + k) % (2 * this.cap));
      done += k;
    }
    if (Atomics.load(this.ctl, WRITER_WAITING)) Atomics.notify(this.ctl, R);
  }
}
