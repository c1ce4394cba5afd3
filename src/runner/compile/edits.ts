/**
 * Text edits on a user's source, applied in one pass. The compiler never
 * inserts a newline and keeps every newline it blanks, so line N of the output
 * is line N of the user's file; only columns move, and the LineMap records
 * where. That is what makes the map compact (a few numbers per edited line)
 * and errors land on the user's line even before mapping.
 */

/**
 * Output columns back to the source, per output line (0-based index into the
 * array-like object): flat triples `[outCol, srcLine, srcCol, ...]` (0-based),
 * sorted by outCol. A line without an entry maps to itself, column for column.
 */
export type LineMap = Record<number, number[]>;

/** Where an edit sits among others at the same position (see `apply`). */
const enum Slot {
  Close = 0,
  Open = 1,
  Replace = 2,
}

interface Edit {
  pos: number;
  end: number;
  text: string;
  slot: Slot;
  /** Nesting depth of the construct that made the edit. */
  depth: number;
  seq: number;
}

export class Edits {
  private readonly list: Edit[] = [];

  constructor(readonly source: string) {}

  get size(): number {
    return this.list.length;
  }

  /** Takes over another collector's edits (same source). */
  merge(other: Edits): void {
    for (const e of other.list) this.list.push({ ...e, seq: this.list.length });
  }

  /** Text that opens a construct at `pos` (outer constructs open first). */
  open(pos: number, text: string, depth: number): void {
    this.list.push({ pos, end: pos, text, slot: Slot.Open, depth, seq: this.list.length });
  }

  /** Text that closes a construct at `pos` (inner constructs close first). */
  close(pos: number, text: string, depth: number): void {
    this.list.push({ pos, end: pos, text, slot: Slot.Close, depth, seq: this.list.length });
  }

  /** Replaces [pos, end) with `text`, keeping the newlines of the replaced range after it. */
  replace(pos: number, end: number, text: string): void {
    if (end <= pos && text === "") return;
    this.list.push({ pos, end, text, slot: Slot.Replace, depth: 0, seq: this.list.length });
  }

  /** Blanks [pos, end): spaces, newlines kept (columns of later text on the same line are unchanged). */
  blank(pos: number, end: number): void {
    if (end > pos) this.replace(pos, end, blankOf(this.source, pos, end));
  }

  /** Blanks [pos, end) but writes `;` first, so the statements around it do not merge (ASI). */
  blankStatement(pos: number, end: number): void {
    if (end > pos) this.replace(pos, end, ";" + blankOf(this.source, pos + 1, end));
  }

  /** Applies the edits; `source` may differ from the constructor's text only inside regions no edit touches. */
  apply(source = this.source): { text: string; map: LineMap } {
    const edits = this.list.slice().sort(order);
    const parts: string[] = [];
    const map: LineMap = {};
    let from = 0; // source position copied up to
    let line = 0; // output line = source line, always
    let lineStart = 0; // source position where `line` starts
    let delta = 0; // output column − source column, from the last segment on
    let segs: number[] = [];
    const advanceLines = (text: string, srcFrom: number) => {
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) {
        if (segs.length) map[line] = segs;
        segs = [];
        line++;
        lineStart = srcFrom + nl + 1;
        delta = 0;
      }
    };
    const copy = (to: number) => {
      if (to <= from) return;
      const text = source.slice(from, to);
      parts.push(text);
      advanceLines(text, from);
      from = to;
    };
    const segment = (srcCol: number) => segs.push(srcCol + delta, line, srcCol);
    for (const e of edits) {
      if (e.pos < from) throw new Error(`overlapping edits at ${e.pos}`);
      copy(e.pos);
      const srcCol = e.pos - lineStart;
      if (e.slot !== Slot.Replace) {
        // Inserted text maps to its insertion point; the text after it continues there.
        segment(srcCol);
        parts.push(e.text);
        delta += e.text.length;
        segment(srcCol);
        continue;
      }
      const width = e.end - e.pos;
      parts.push(e.text);
      if (e.text.length === width) {
        // Same length (blanks keep their newlines): columns do not move.
        advanceLines(e.text, e.pos);
      } else {
        if (source.slice(e.pos, e.end).includes("\n")) throw new Error("a resizing edit must stay on one line");
        segment(srcCol);
        delta += e.text.length - width;
        segment(srcCol + width);
      }
      from = e.end;
    }
    copy(source.length);
    if (segs.length) map[line] = segs;
    return { text: parts.join(""), map };
  }
}

function order(a: Edit, b: Edit): number {
  if (a.pos !== b.pos) return a.pos - b.pos;
  if (a.slot !== b.slot) return a.slot - b.slot;
  if (a.slot === Slot.Open && a.depth !== b.depth) return a.depth - b.depth;
  if (a.slot === Slot.Close && a.depth !== b.depth) return b.depth - a.depth;
  return a.slot === Slot.Close ? b.seq - a.seq : a.seq - b.seq;
}

/** Spaces for [pos, end) of `source`, keeping its line breaks. */
export function blankOf(source: string, pos: number, end: number): string {
  return source.slice(pos, end).replace(/[^\r\n]/g, " ");
}

/** Maps a 0-based output position back to the source through a LineMap. */
export function mapPosition(map: LineMap, line: number, column: number): { line: number; column: number } {
  const segs = map[line];
  if (!segs) return { line, column };
  let best = -1;
  for (let i = 0; i < segs.length && segs[i] <= column; i += 3) best = i;
  if (best < 0) return { line, column };
  // Inside inserted or resized text (the next segment does not continue this one column for column) stay at its start.
  const next = best + 3 < segs.length ? best + 3 : -1;
  const linear = next < 0 || (segs[next + 1] === segs[best + 1] && segs[next + 2] - segs[best + 2] === segs[next] - segs[best]);
  return { line: segs[best + 1], column: segs[best + 2] + (linear ? column - segs[best] : 0) };
}
