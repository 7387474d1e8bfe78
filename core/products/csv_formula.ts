/**
 * Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
 * is run as a formula by Excel and friends. Exports prefix such cells with `'` (shown as text),
 * and imports remove that prefix again. So that export → import changes nothing, a cell that
 * starts with quotes before a formula character (`'=x`) gets one more quote too (`''=x`), and an
 * import removes exactly one quote from any cell of that form.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALIZED = /^'+[=+\-@\t\r]/;

/** Makes a cell safe to open in a spreadsheet; {@linkcode restoreNeutralized} undoes it exactly. */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Undoes {@linkcode neutralizeFormula} for a cell read from a CSV: one leading `'` fewer. */
export function restoreNeutralized(cell: string): string {
  return NEUTRALIZED.test(cell) ? cell.slice(1) : cell;
}

/**
 * A cell as it was read from an uploaded CSV, made safe for a CSV the user downloads (the import's
 * error report): it imports again to the same value as the original cell did.
 */
export function neutralizeUploadedCell(cell: string): string {
  return neutralizeFormula(restoreNeutralized(cell));
}
