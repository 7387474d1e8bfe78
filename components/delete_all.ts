/**
 * The delete-all confirmation rule, shared by the server (which enforces it) and the
 * DeleteAllForm island (which unlocks its button by it). Browser-safe: no imports.
 */

/** Whether the typed text confirms deleting `count` products: "DELETE" or the count itself. */
export function confirmsDeleteAll(typed: string, count: number): boolean {
  const text = typed.trim();
  return text === "DELETE" || text.replace(/[,\s]/g, "") === String(count);
}
