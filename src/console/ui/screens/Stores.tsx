import { useState } from 'preact/hooks';
import { api, type Store } from '../api.js';
import { ErrorMessage, ReadOnlyNote, Status } from '../components.js';
import { formatTime, useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

/** The tenant's stores with their synchronization state and the Manual Synchronization button. */
export const Stores = ({ canWrite }: { canWrite: boolean }) => {
  const { data, error, reload } = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const [message, setMessage] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<Error | null>(null);
  const sync = async (store: Store) => {
    setMessage(null);
    setSyncError(null);
    try {
      await api('POST', `/v1/stores/${store.storeId}/sync`);
      setMessage(`Synchronization of ${store.name} (${store.marketplaceName}) requested.`);
      reload();
    } catch (err) {
      setSyncError(err as Error);
    }
  };
  return (
    <section aria-labelledby="stores-title">
      <h1 id="stores-title">Stores</h1>
      {canWrite ? null : <ReadOnlyNote />}
      <ErrorMessage error={error ?? syncError} />
      {message ? <Status>{message}</Status> : null}
      {data ? (
        <table>
          <caption>Stores and their order synchronization</caption>
          <thead>
            <tr>
              <th scope="col">Store</th>
              <th scope="col">Platform</th>
              <th scope="col">Marketplace</th>
              <th scope="col">Status</th>
              <th scope="col">Last pull</th>
              <th scope="col">Failures</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.items.length === 0 ? (
              <tr>
                <td colSpan={7}>No stores connected yet.</td>
              </tr>
            ) : (
              data.items.map((s) => (
                <tr key={s.storeId}>
                  <td>{s.name}</td>
                  <td>{s.platform}</td>
                  <td>
                    {s.marketplaceName} ({s.countryCode})
                  </td>
                  <td>{s.sync.running ? 'pulling' : s.status}</td>
                  <td>{formatTime(s.sync.lastSuccessAt)}</td>
                  <td>{s.sync.failures ? `${s.sync.failures}: ${s.sync.lastError ?? ''}` : '0'}</td>
                  <td>
                    {canWrite ? (
                      <button type="button" onClick={onEvent(() => sync(s))} aria-label={`Manual Synchronization of ${s.name} ${s.marketplaceName}`}>
                        Manual Synchronization
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
