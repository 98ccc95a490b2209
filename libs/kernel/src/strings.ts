/**
 * Text that outlives the message that made it (a signal's reason, a decision's reasons) is
 * built with template literals, which V8 represents as a rope: one heap object per
 * concatenation, ten or more for a typical reason. A backtest keeps every event in its log, so
 * each rope node is copied by every garbage collection that finds it alive — in profiles that
 * copying cost more than building the signal. Reading a character flattens the rope into one
 * sequential string, and the collector then drops the nodes.
 *
 * The read's result goes to a module variable so the optimizing compiler cannot remove it.
 */
let touched = 0;

/** The same string, flattened (see above). Returns its argument. */
export function flat(s: string): string {
  if (s.length !== 0) touched = (touched + s.charCodeAt(0)) & 0xffff;
  return s;
}

