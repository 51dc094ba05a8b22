/**
 * How wide a task id is drawn: ids are shown in the monospace font at about 12.5px, whose glyphs
 * are about 7.4px wide. Used to size graph nodes and the grid's name column without measuring.
 */
const MONO_CHAR_PX = 7.4;

/** The width for a label of `length` characters with `padding` pixels around it. */
export function monoLabelPx(length: number, padding: number): number {
  return Math.ceil(length * MONO_CHAR_PX) + padding;
}
