/**
 * Large numeric array literals (a data set pasted into a module) cost the
 * TypeScript parser ~0.5 s per MB and hold nothing to rewrite. Before parsing,
 * each one of at least MIN_RUN characters is replaced by `[]` and spaces
 * (newlines kept), so every other position is unchanged; the compiler then
 * copies the original text through (no edit ever falls inside a masked run).
 *
 * A run is `[` … `]`, balanced, made only of numbers, commas, whitespace and
 * brackets. Found in one pass: a stack of open brackets, cleared by any other
 * character; a run that closes is kept unless an enclosing one closes later.
 */
const MIN_RUN = 2048;

export function maskLiterals(text: string): string {
  const runs = findRuns(text);
  if (!runs.length) return text;
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const [start, end] = [runs[i], runs[i + 1]];
    parts.push(text.slice(from, start), "[]", blankLines(text.slice(start + 2, end)));
    from = end;
  }
  parts.push(text.slice(from));
  return parts.join("");
}

/** Spaces in place of every character but line breaks (faster than a regex over megabytes). */
function blankLines(s: string): string {
  return s
    .split("\n")
    .map((line) => " ".repeat(line.length))
    .join("\n");
}

/** Flat [start, end) pairs of maskable runs, in order. */
function findRuns(text: string): number[] {
  const runs: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 /* [ */) {
      open.push(i);
    } else if (c === 93 /* ] */) {
      const start = open.pop();
      if (start === undefined) continue;
      if (i + 1 - start < MIN_RUN || !maskableAt(text, start)) continue;
      // An enclosing run supersedes the runs inside it.
      while (runs.length && runs[runs.length - 2] > start) runs.length -= 2;
      runs.push(start, i + 1);
    } else if (c >= 128 || NUMBER_CHAR[c] === 0) {
      if (open.length) open.length = 0;
    }
  }
  return runs;
}

/** Characters a numeric literal run may contain besides brackets (a lookup table: this loop sees every character). */
const NUMBER_CHAR = new Uint8Array(128);
for (const ch of "0123456789,.-+eE_ \t\r\n") NUMBER_CHAR[ch.charCodeAt(0)] = 1;

const KEYWORDS_BEFORE_EXPRESSION = new Set(["return", "yield", "await", "of", "in", "case", "else", "do", "typeof", "void", "throw", "default"]);

/** An array literal starts here (not `x[...]`, an element access): what precedes it cannot end an expression. */
function maskableAt(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  if (i < 0) return true;
  const c = text[i];
  if (/[\w$]/.test(c)) {
    let j = i;
    while (j >= 0 && /[\w$]/.test(text[j])) j--;
    return KEYWORDS_BEFORE_EXPRESSION.has(text.slice(j + 1, i + 1));
  }
  return c !== ")" && c !== "]" && c !== "}" && c !== "`" && c !== "'" && c !== '"';
}
