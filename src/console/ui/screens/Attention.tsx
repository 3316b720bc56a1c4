import { api, type AuthorizationSummary, type OrderSummary, type Page, type RejectedOrder, type Store } from '../api.js';
import { ErrorMessage } from '../components.js';
import { daysLeft, renewalText } from '../authorizationText.js';
import { formatTime, useLoad } from '../hooks.js';

const HOLD_REASONS: Record<string, string> = {
  unmapped_sku: 'Unmapped SKU — map it in Product Mapping',
  address_incomplete: 'Incomplete address — correct it on the order',
  unknown_status: 'Unknown marketplace status — look at the order',
  unknown_fulfillment: 'Unknown fulfilment channel — look at the order',
  duplicate_order: 'Possible duplicate — release it on the order if it must ship',
  other: 'Other hold — look at the order',
};
/** Held orders read for the grouping (the oldest first matter most; the rest are on Orders). */
const HELD_LIMIT = 200;
/** Held orders without an unmapped SKU whose reason is read from their detail. */
const DETAIL_LIMIT = 25;
const RENEWAL_WARNING_DAYS = 30;

type HeldGroup = { reason: string; orders: OrderSummary[] };

/** Held orders grouped by reason: unmapped SKUs are in the list; other reasons come from the order. */
const loadHeld = async (): Promise<{ groups: HeldGroup[]; more: boolean }> => {
  const page = await api<Page<OrderSummary>>('GET', `/v1/orders?handoff=held&limit=${HELD_LIMIT}`);
  const groups = new Map<string, OrderSummary[]>();
  const add = (reason: string, o: OrderSummary) => groups.set(reason, [...(groups.get(reason) ?? []), o]);
  const others = page.items.filter((o) => o.handoff.holdSkus.length === 0);
  for (const o of page.items) if (o.handoff.holdSkus.length) add('unmapped_sku', o);
  const details = await Promise.all(others.slice(0, DETAIL_LIMIT).map((o) => api<{ holdReasons: { code: string }[] }>('GET', `/v1/orders/${o.orderId}`).catch(() => null)));
  others.forEach((o, i) => {
    const codes = i < DETAIL_LIMIT ? (details[i]?.holdReasons.map((r) => r.code) ?? []) : [];
    for (const code of codes.length ? [...new Set(codes)] : ['other']) add(HOLD_REASONS[code] ? code : 'other', o);
  });
  return { groups: [...groups].map(([reason, orders]) => ({ reason, orders })), more: page.nextCursor !== null };
};

/**
 * What needs a person: failing pulls, authorizations to renew or re-authorize, held orders by
 * reason, and rejected orders — each linking to where it is fixed.
 */
export const Attention = () => {
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const auths = useLoad(() => api<{ items: AuthorizationSummary[] }>('GET', '/v1/authorizations'), []);
  const held = useLoad(loadHeld, []);
  const rejected = useLoad(() => api<Page<RejectedOrder>>('GET', '/v1/orders/rejected?state=open&limit=100'), []);
  const storeName = (id: string) => {
    const s = stores.data?.items.find((x) => x.storeId === id);
    return s ? `${s.name} — ${s.marketplaceName}` : id;
  };
  const failing = (stores.data?.items ?? []).filter((s) => s.sync.failures > 0 || s.sync.state !== 'ok');
  const renew = (auths.data?.items ?? []).filter(
    (a) => !['active', 'paused', 'revoked', 'merged'].includes(a.status) || (a.status === 'active' && a.renewBy !== null && daysLeft(a.renewBy) <= RENEWAL_WARNING_DAYS) || (a.status === 'active' && a.lastFailure !== null),
  );
  return (
    <section aria-labelledby="attention-title">
      <h1 id="attention-title">Attention</h1>
      <ErrorMessage error={stores.error ?? auths.error ?? held.error ?? rejected.error} />

      <h2 id="failing-title">Failing pulls</h2>
      {stores.data ? (
        failing.length === 0 ? (
          <p>Every store pulls without failures.</p>
        ) : (
          <ul aria-labelledby="failing-title">
            {failing.map((s) => (
              <li key={s.storeId}>
                <a href={`#/authorizations/${s.authorizationId}`}>{`${s.name} — ${s.marketplaceName}`}</a>: {s.sync.failures} failure(s) ({s.sync.state}
                {s.sync.failingSince ? ` since ${formatTime(s.sync.failingSince)}` : ''}) — {s.sync.lastError ?? s.sync.reason ?? 'no detail'}. Last pull {formatTime(s.sync.lastSuccessAt)}.
              </li>
            ))}
          </ul>
        )
      ) : null}

      <h2 id="renewal-title">Authorizations to renew or re-authorize</h2>
      {auths.data ? (
        renew.length === 0 ? (
          <p>No authorization needs renewing.</p>
        ) : (
          <ul aria-labelledby="renewal-title">
            {renew.map((a) => (
              <li key={a.authorizationId}>
                <a href={`#/authorizations/${a.authorizationId}`}>{a.name}</a> ({a.platform}, {a.status}): {a.renewBy ? renewalText(a.renewBy, daysLeft(a.renewBy)) : ''}
                {a.lastFailure ? ` last failure: ${a.lastFailure}` : ''}
              </li>
            ))}
          </ul>
        )
      ) : null}

      <h2 id="held-title">Held orders by reason</h2>
      {held.data ? (
        held.data.groups.length === 0 ? (
          <p>No held orders.</p>
        ) : (
          <>
            {held.data.groups.map((g) => (
              <section key={g.reason} aria-label={HOLD_REASONS[g.reason]}>
                <h3>
                  {HOLD_REASONS[g.reason]}: <span class="count">{g.orders.length}</span>
                </h3>
                <ul>
                  {g.orders.map((o) => (
                    <li key={o.orderId}>
                      <a href={`#/orders/${o.orderId}`}>{o.platformOrderId}</a> ({storeName(o.storeId)})
                      {g.reason === 'unmapped_sku' ? (
                        <>
                          {' '}
                          — <a href={`#/mappings?store=${o.storeId}`}>map {o.handoff.holdSkus.join(', ')}</a>
                        </>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </section>
            ))}
            {held.data.more ? <p>More held orders than shown: see Orders.</p> : null}
          </>
        )
      ) : null}

      <h2 id="rejected-title">Rejected orders</h2>
      {rejected.data ? (
        rejected.data.items.length === 0 ? (
          <p>No order was rejected.</p>
        ) : (
          <table>
            <caption>Marketplace orders a pull could not read (a later pull that reads one resolves it)</caption>
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Order</th>
                <th scope="col">Reason</th>
                <th scope="col">Last rejected</th>
                <th scope="col">Where to fix</th>
              </tr>
            </thead>
            <tbody>
              {rejected.data.items.map((r, i) => (
                <tr key={i}>
                  <td>{storeName(r.storeId)}</td>
                  <td>{r.platformOrderId ?? 'unknown id'}</td>
                  <td>{r.reason}</td>
                  <td>{formatTime(r.lastRejectedAt)}</td>
                  <td>
                    <a href="#/stores">Stores: Manual Synchronization after the fix</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
};
