/**
 * Failed or missing authentication counted per client address in fixed one-minute windows, in
 * memory (per instance). Checked before a token is looked at, so a client that keeps failing is
 * refused without any work: no hashing, no read of a tenant's stream. The table is bounded: when
 * it is full, expired windows are swept and, if that is not enough, the oldest entries go (a
 * flood of distinct addresses cannot grow memory, at worst it forgets some counts).
 */
export type FailureLimiter = Readonly<{
  /** Seconds until this address may try again, or 0 when it may try now. */
  retryAfterSeconds: (address: string) => number;
  record: (address: string) => void;
}>;

export const failureLimiter = (opts: { maxPerWindow: number; windowMs?: number; maxAddresses?: number; now?: () => number }): FailureLimiter => {
  const windowMs = opts.windowMs ?? 60_000;
  const maxAddresses = opts.maxAddresses ?? 10_000;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { startedAt: number; failures: number }>();

  const current = (address: string) => {
    const w = windows.get(address);
    if (w && now() - w.startedAt >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return w;
  };

  const makeRoom = () => {
    for (const [address, w] of windows) if (now() - w.startedAt >= windowMs) windows.delete(address);
    // Maps iterate in insertion order: the first entries are the oldest windows.
    for (const address of windows.keys()) {
      if (windows.size < maxAddresses) break;
      windows.delete(address);
    }
  };

  return {
    retryAfterSeconds: (address) => {
      const w = current(address);
      if (!w || w.failures < opts.maxPerWindow) return 0;
      return Math.max(1, Math.ceil((w.startedAt + windowMs - now()) / 1000));
    },
    record: (address) => {
      const w = current(address);
      if (w) {
        w.failures++;
        return;
      }
      if (windows.size >= maxAddresses) makeRoom();
      windows.set(address, { startedAt: now(), failures: 1 });
    },
  };
};
