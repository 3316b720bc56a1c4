/** int8 → number, refusing values a double cannot hold exactly (positions and counts stay far below). */
export const parseInt8 = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} exceeds Number.MAX_SAFE_INTEGER`);
  return n;
};

export const INT8_OID = 20;
