import { useState } from 'preact/hooks';
import { api, type Store, type UnmappedSku } from '../api.js';
import { ErrorMessage, Field, Status } from '../components.js';
import { formatTime, useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

type CopyResult = { counts: { created: number; updated: number; unchanged: number; kept: number; skipped: number }; skipped: { platformSku: string }[] };

/** Copy every mapping of this store to another store of the tenant (existing ones kept unless overwritten). */
export const CopyMappings = ({ from, stores }: { from: string; stores: Store[] }) => {
  const targets = stores.filter((s) => s.storeId !== from);
  const [to, setTo] = useState(targets[0]?.storeId ?? '');
  const [overwrite, setOverwrite] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const copy = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    setError(null);
    try {
      // The API copies *into* a store from another: the target is in the path.
      const r = await api<CopyResult>('POST', `/v1/stores/${to}/mappings/copy`, { fromStoreId: from, overwrite });
      const c = r.counts;
      setResult(
        `Copied: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.kept} kept, ${c.skipped} skipped${r.skipped.length ? ` (${r.skipped.map((s) => s.platformSku).join(', ')})` : ''}.`,
      );
    } catch (err) {
      setError(err as Error);
    }
  };
  if (targets.length === 0) return <p class="note">There is no other store to copy to.</p>;
  return (
    <form class="panel" aria-label="Copy mappings to another store" onSubmit={onEvent(copy)}>
      <h2>Copy to another store</h2>
      <Field id="copy-target" label="Target store">
        <select id="copy-target" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          {targets.map((s) => (
            <option key={s.storeId} value={s.storeId}>
              {s.name} — {s.marketplaceName} ({s.platform})
            </option>
          ))}
        </select>
      </Field>
      <div class="field">
        <label>
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} /> Replace mappings the target store has already
        </label>
      </div>
      <button type="submit">Copy mappings</button>
      {result ? <Status>{result}</Status> : null}
      <ErrorMessage error={error} />
    </form>
  );
};

/**
 * The unmapped-SKU queue: platform SKUs without a mapping that hold orders, with the number of held
 * orders; "Map it" maps one to one system SKU in one step (a combination opens New).
 */
export const UnmappedQueue = ({ storeId, canWrite, onMapped, onCombination }: { storeId: string; canWrite: boolean; onMapped: () => void; onCombination: (platformSku: string) => void }) => {
  const queue = useLoad(() => api<{ items: UnmappedSku[] }>('GET', `/v1/stores/${storeId}/unmapped-skus`), [storeId]);
  const [values, setValues] = useState<Record<string, { sku: string; quantity: string }>>({});
  // Mapped here: hidden at once (the queue is a read model and may lag a moment).
  const [done, setDone] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const valueOf = (sku: string) => values[sku] ?? { sku: '', quantity: '1' };
  const mapIt = async (e: Event, item: UnmappedSku) => {
    e.preventDefault();
    setMessage(null);
    setError(null);
    const v = valueOf(item.platformSku);
    try {
      await api('PUT', `/v1/stores/${storeId}/mapping?platformSku=${encodeURIComponent(item.platformSku)}`, { components: [{ sku: v.sku.trim(), quantity: Number(v.quantity) }] });
      setDone([...done, item.platformSku]);
      setMessage(`Mapping of ${item.platformSku} saved: its ${item.heldOrders} held order(s) are being released.`);
      onMapped();
    } catch (err) {
      setError(err as Error);
    }
  };
  const items = (queue.data?.items ?? []).filter((i) => !done.includes(i.platformSku));
  if (!queue.data && !queue.error) return null;
  return (
    <section aria-labelledby="unmapped-title" class="panel">
      <h2 id="unmapped-title">Unmapped SKUs holding orders</h2>
      <ErrorMessage error={queue.error ?? error} />
      {message ? <Status>{message}</Status> : null}
      {items.length === 0 ? (
        <p>No orders wait for a mapping in this store.</p>
      ) : (
        <table>
          <caption>Platform SKUs without a mapping and the orders they hold</caption>
          <thead>
            <tr>
              <th scope="col">Platform SKU</th>
              <th scope="col">Held orders</th>
              <th scope="col">Held since</th>
              {canWrite ? <th scope="col">Map it</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((item, n) => (
              <tr key={item.platformSku}>
                <td>{item.platformSku}</td>
                <td class="count">{item.heldOrders}</td>
                <td>{formatTime(item.oldestHeldSince)}</td>
                {canWrite ? (
                  <td>
                    <form class="inline" aria-label={`Map ${item.platformSku}`} onSubmit={onEvent((e) => mapIt(e, item))}>
                      <Field id={`map-sku-${n}`} label={`System SKU for ${item.platformSku}`}>
                        <input
                          id={`map-sku-${n}`}
                          required
                          value={valueOf(item.platformSku).sku}
                          onInput={(e) => setValues({ ...values, [item.platformSku]: { ...valueOf(item.platformSku), sku: e.currentTarget.value } })}
                        />
                      </Field>
                      <Field id={`map-qty-${n}`} label="Quantity (conversion factor)">
                        <input
                          id={`map-qty-${n}`}
                          type="number"
                          min="1"
                          step="1"
                          required
                          value={valueOf(item.platformSku).quantity}
                          onInput={(e) => setValues({ ...values, [item.platformSku]: { ...valueOf(item.platformSku), quantity: e.currentTarget.value } })}
                        />
                      </Field>
                      <button type="submit" aria-label={`Map it: ${item.platformSku}`}>
                        Map it
                      </button>
                      <button type="button" class="secondary" onClick={() => onCombination(item.platformSku)} aria-label={`Map ${item.platformSku} to a combination`}>
                        Combination…
                      </button>
                    </form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
