/**
 * CSV formula injection (OWASP "CSV Injection"): a spreadsheet evaluates a cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return as a formula. Exports neutralise such cells the
 * way OWASP recommends — a leading single quote, which spreadsheets show as text — and imports undo
 * exactly that, so export → import gives back every code unchanged.
 *
 * The quote is added to every value that starts with any number of quotes followed by a trigger
 * (`/^'*[=+\-@\t\r]/`), and one leading quote is removed from every cell of that shape on import.
 * That makes the pair a bijection: a code that really starts with `'=` is exported as `''=` and
 * imported back as `'=`. A cell without the leading quote is taken as written, so a hand-made
 * file with a real SKU such as `-5PK` or `+1` imports as that SKU.
 */
const FORMULA_TRIGGER = /^'*[=+\-@\t\r]/;
const ESCAPED = /^'+[=+\-@\t\r]/;

/** The cell to write for `value`: prefixed with `'` when a spreadsheet would run it as a formula. */
export const neutralizeFormula = (value: string): string => (FORMULA_TRIGGER.test(value) ? `'${value}` : value);

/** Inverse of neutralizeFormula: restoreFormula(neutralizeFormula(x)) === x for every string. */
export const restoreFormula = (cell: string): string => (ESCAPED.test(cell) ? cell.slice(1) : cell);
