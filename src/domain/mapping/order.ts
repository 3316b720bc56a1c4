/** Code-unit order: deterministic everywhere, unlike localeCompare (which depends on ICU data). */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
