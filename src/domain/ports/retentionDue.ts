/**
 * The buyer-data retention due-list (docs/retention.md): terminal orders, claimed by one runner at a
 * time under a lease, marked once their key is shredded. Times come from the caller's clock.
 * The PostgreSQL adapter is adapters/scheduler/retentionStore.ts.
 */
export type DueErasure = Readonly<{ orderId: string; tenantId: string; storeId: string; trigger: 'shipped' | 'cancelled'; terminalAt: string }>;

export type RetentionCounts = Readonly<{
  /** Terminal orders past the retention period whose buyer data is not erased yet. */
  due: number;
  /** Terminal orders still within the retention period. */
  waiting: number;
  erased: number;
  lastRun: { at: string; erased: number; error: string | null } | null;
}>;

export interface RetentionStore {
  /** Claim up to `limit` due orders: terminal at or before `cutoff`, not erased, not claimed. */
  claimDue(holder: string, cutoff: string, now: string, limit: number, leaseMs: number): Promise<DueErasure[]>;
  /** Erased (by us or found erased): done for good, the claim cleared. */
  markErased(orderId: string, erasedAt: string): Promise<void>;
  /** Give an order back (it failed): the next run tries again. */
  release(holder: string, orderId: string): Promise<void>;
  recordRun(at: string, erased: number, error: string | null): Promise<void>;
  counts(cutoff: string): Promise<RetentionCounts>;
}
