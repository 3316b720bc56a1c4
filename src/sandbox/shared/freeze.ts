/**
 * Stored orders are frozen, so the control API can hand them out without copying 20,000 orders and
 * a caller cannot change the store behind the sandbox's back (writes throw in strict-mode code).
 */
export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};
