/**
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
 * is run as a formula by Excel and friends. Exports prefix such cells with `'` (shown as text),
 * and imports remove that prefix again, so export → import changes nothing.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALIZED = /^'[=+\-@\t\r]/;

/** Makes a cell safe to open in a spreadsheet. */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Undoes {@linkcode neutralizeFormula} for a cell read from a CSV. */
export function restoreNeutralized(cell: string): string {
  return NEUTRALIZED.test(cell) ? cell.slice(1) : cell;
}
