/**
 * Walks a CSV text line by line, recording field boundaries instead of cutting substrings:
 * at 45k–160k rows per file, `split` per line and per field was most of the parse time and
 * garbage. These files have no quoting (README), so a comma always separates fields.
 */
export class CsvCursor {
  private static readonly CAPACITY = 32;
  /** Field i of the current line is text[starts[i], ends[i]). */
  readonly starts = new Int32Array(CsvCursor.CAPACITY);
  readonly ends = new Int32Array(CsvCursor.CAPACITY);
  /** Fields on the current line (may exceed what `starts` holds; only counted then). */
  count = 0;
  /** 1-based line number of the current line; the header is line 1. */
  lineNo = 0;
  lineStart = 0;
  /** Exclusive, without the line break (CRLF tolerated). */
  lineEnd = 0;
  private pos = 0;

  constructor(readonly text: string) {
    // A byte-order mark would otherwise glue itself to the first header name.
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  /** Advances to the next line; false at the end (a final newline does not start a line). */
  next(): boolean {
    const text = this.text;
    const len = text.length;
    if (this.pos >= len) return false;
    const nl = text.indexOf('\n', this.pos);
    const stop = nl < 0 ? len : nl;
    const start = this.pos;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    this.lineStart = start;
    this.lineEnd = end;
    this.pos = nl < 0 ? len : nl + 1;
    this.lineNo++;
    let n = 0;
    let s = start;
    for (;;) {
      const comma = text.indexOf(',', s);
      const e = comma < 0 || comma >= end ? end : comma;
      if (n < CsvCursor.CAPACITY) {
        this.starts[n] = s;
        this.ends[n] = e;
      }
      n++;
      if (e === end) break;
      s = e + 1;
    }
    this.count = n;
    return true;
  }

  field(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  line(): string {
    return this.text.slice(this.lineStart, this.lineEnd);
  }

  /** Whether field i is exactly `s`, without cutting a substring. */
  fieldIs(i: number, s: string): boolean {
    const start = this.starts[i];
    return this.ends[i] - start === s.length && this.text.startsWith(s, start);
  }

  /** Whether the current line's text equals text[start, end). */
  lineEquals(start: number, end: number): boolean {
    const len = this.lineEnd - this.lineStart;
    if (end - start !== len) return false;
    const text = this.text;
    for (let k = 0; k < len; k++) {
      if (text.charCodeAt(this.lineStart + k) !== text.charCodeAt(start + k)) return false;
    }
    return true;
  }
}
