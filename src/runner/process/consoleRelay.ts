import type { OutputLevel, OutputReader } from "../outputRing";

export interface ConsoleChunk {
  level: OutputLevel;
  text: string;
}

/** At most this many batches travel unacknowledged: the host's pace sets the model's when it prints a lot. */
const WINDOW = 2;
const MAX_BATCH_CHARS = 256 * 1024;

/**
 * Moves the model's console output from the output ring to the host in
 * batches of whole lines, at the host's pace (each batch is acknowledged).
 * While the host is behind, the ring fills and the model's next print waits:
 * memory stays bounded everywhere and nothing is dropped on this side.
 *
 * Order with the worker's messages: output the model wrote after a message
 * is preceded in the ring by a marker with that message's number (the latest
 * message posted before it; see OutputWriter). Output before a marker goes to
 * the host before that message (beforeMessage), and output after it waits until
 * the message has gone (the pump parks there).
 */
export class ConsoleRelay {
  private unacked = 0;
  private wake: (() => void) | undefined;
  /** The tail of the output that is not a whole line yet. */
  private carry: ConsoleChunk | undefined;
  /** The number of the last worker message relayed. */
  private handled = -1;
  /** A marker the pump reached before its message arrived. */
  private parkedAt: number | undefined;
  private closed = false;

  constructor(private readonly reader: OutputReader, private readonly send: (chunks: ConsoleChunk[]) => void) {}

  /** Relays in the background until close(). */
  start(): void {
    void this.pump();
  }

  /** The host took a batch. */
  ack(): void {
    this.unacked = Math.max(0, this.unacked - 1);
    this.wake?.();
  }

  /** Worker message `seq` arrived: sends the output made before it (whatever the window), so the host sees it first. */
  beforeMessage(seq: number): void {
    const chunks = this.takeCarry();
    const at = seq >>> 0;
    if (this.parkedAt === at) this.parkedAt = undefined;
    else if (this.parkedAt === undefined)
      // Up to this message's marker, or a later one's (its output waits there), or what there is (none followed yet).
      for (let r = this.reader.next(); r; r = this.reader.next()) {
        if (r.marker === undefined) append(chunks, r.level, r.text);
        else if (r.marker === at) break;
        else if (after(r.marker, at)) {
          this.parkedAt = r.marker;
          break;
        }
      }
    this.handled = seq;
    if (chunks.length > 0) this.sendBatch(chunks);
    this.wake?.();
  }

  /** Sends whatever is left (the run is over). */
  close(): void {
    this.closed = true;
    const chunks = this.takeCarry();
    for (let r = this.reader.next(); r; r = this.reader.next()) if (r.marker === undefined) append(chunks, r.level, r.text);
    if (chunks.length > 0) this.sendBatch(chunks);
    this.wake?.();
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      if (this.parkedAt !== undefined || this.unacked >= WINDOW) await new Promise<void>((resolve) => (this.wake = resolve));
      else if (this.reader.hasData()) this.collect();
      // A partial line waits for its end, but not forever (a progress bar drawn with \r has none).
      else if (!(await this.reader.waitForData(this.carry ? 50 : 1000)) && this.carry) this.sendBatch(this.takeCarry());
      this.wake = undefined;
    }
  }

  /** Reads up to a batch of output, stopping at the marker of a message that has not arrived yet. */
  private collect(): void {
    const chunks = this.takeCarry();
    let size = 0;
    for (let r = this.reader.next(); r; r = size < MAX_BATCH_CHARS ? this.reader.next() : undefined) {
      if (r.marker !== undefined) {
        // Output after a message that has not arrived yet waits for it.
        if (after(r.marker, this.handled >>> 0)) {
          this.parkedAt = r.marker;
          break;
        }
        continue;
      }
      append(chunks, r.level, r.text);
      size += r.text.length;
    }
    // Keep lines whole: a print without its newline yet waits for the rest (unless order forces it out).
    const last = chunks[chunks.length - 1];
    if (last && !last.text.endsWith("\n") && this.parkedAt === undefined) {
      const cut = last.text.lastIndexOf("\n") + 1;
      this.carry = { level: last.level, text: last.text.slice(cut) };
      if (cut === 0) chunks.pop();
      else last.text = last.text.slice(0, cut);
    }
    if (chunks.length > 0) this.sendBatch(chunks);
  }

  private takeCarry(): ConsoleChunk[] {
    const c = this.carry;
    this.carry = undefined;
    return c ? [c] : [];
  }

  private sendBatch(chunks: ConsoleChunk[]): void {
    this.unacked++;
    this.send(chunks);
  }
}

/** Marker a belongs to a later message than b (message numbers wrap at 2³²). */
function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** Adds text to the last chunk when it has the same level (a batch is a few chunks, not one per print). */
function append(chunks: ConsoleChunk[], level: OutputLevel, text: string): void {
  const last = chunks[chunks.length - 1];
  if (last && last.level === level) last.text += text;
  else chunks.push({ level, text });
}
