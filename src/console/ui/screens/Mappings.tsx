import { useState } from 'preact/hooks';
import { api, query, saveFile, uploadCsv, type Mapping, type Page, type Store } from '../api.js';
import { CsvImport, ErrorMessage, Field, ReadOnlyNote, Status } from '../components.js';
import { CopyMappings, UnmappedQueue } from './MappingTools.js';
import { useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

type Row = { sku: string; quantity: string };

/**
 * Product Mapping for one store: the list, and New — a platform SKU and its components; the plus
 * sign adds a component; the quantity is the conversion factor (units per platform unit).
 */
export const Mappings = ({ canWrite, storeId, mapSku, onStore }: { canWrite: boolean; storeId: string | null; mapSku?: string | null; onStore: (id: string) => void }) => {
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const current = storeId ?? stores.data?.items[0]?.storeId ?? null;
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const list = useLoad(
    () => (current ? api<Page<Mapping>>('GET', `/v1/stores/${current}/mappings${query({ q: search, limit: 100 })}`) : Promise.resolve(null)),
    [current, search],
  );
  const [editing, setEditing] = useState(Boolean(mapSku) && canWrite);
  const [platformSku, setPlatformSku] = useState(mapSku ?? '');
  const [tool, setTool] = useState<'import' | 'copy' | null>(null);
  const [exportError, setExportError] = useState<Error | null>(null);
  const exportCsv = async () => {
    setExportError(null);
    try {
      const store = stores.data?.items.find((s) => s.storeId === current);
      saveFile(`mappings-${store ? `${store.name}-${store.countryCode}` : current}.csv`.replace(/[^\w.-]+/g, '_'), await api<string>('GET', `/v1/stores/${current}/mappings/export`, undefined, { text: true }));
    } catch (err) {
      setExportError(err as Error);
    }
  };
  const [rows, setRows] = useState<Row[]>([{ sku: '', quantity: '1' }]);
  const [saveError, setSaveError] = useState<Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // The server's answer to the last save: shown at once, since the list (a read model) may lag a moment.
  const [justSaved, setJustSaved] = useState<{ storeId: string; mapping: Mapping } | null>(null);

  const shown = (items: Mapping[]) =>
    justSaved && justSaved.storeId === current && !search
      ? [justSaved.mapping, ...items.filter((m) => m.platformSku !== justSaved.mapping.platformSku)]
      : items;
  const setRow = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (i === j ? { ...r, ...patch } : r)));
  const addRow = () => {
    setRows([...rows, { sku: '', quantity: '1' }]);
    // Move focus to the new component's SKU field for keyboard users.
    setTimeout(() => document.getElementById(`component-sku-${rows.length}`)?.focus());
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSaveError(null);
    setSaved(null);
    try {
      const components = rows.map((r) => ({ sku: r.sku.trim(), quantity: Number(r.quantity) }));
      const mapping = await api<Omit<Mapping, 'updatedAt'>>('PUT', `/v1/stores/${current}/mappings/${encodeURIComponent(platformSku.trim())}`, { components });
      setJustSaved({ storeId: current!, mapping: { ...mapping, updatedAt: new Date().toISOString() } });
      setSaved(`Mapping of ${mapping.platformSku} saved.`);
      setEditing(false);
      setPlatformSku('');
      setRows([{ sku: '', quantity: '1' }]);
      list.reload();
    } catch (err) {
      setSaveError(err as Error);
    }
  };

  return (
    <section aria-labelledby="mappings-title">
      <h1 id="mappings-title">Product Mapping</h1>
      <ErrorMessage error={stores.error} />
      {stores.data && stores.data.items.length === 0 ? <p>No stores connected yet.</p> : null}
      {stores.data && current ? (
        <div class="toolbar">
          <Field id="mapping-store" label="Store">
            <select id="mapping-store" value={current} onChange={(e) => onStore(e.currentTarget.value)}>
              {stores.data.items.map((s) => (
                <option key={s.storeId} value={s.storeId}>
                  {s.name} — {s.marketplaceName} ({s.platform})
                </option>
              ))}
            </select>
          </Field>
          <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), setSearch(q))}>
            <Field id="mapping-search" label="Search mappings">
              <input id="mapping-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
            </Field>
            <button type="submit">Search</button>
          </form>
          {canWrite ? (
            <button type="button" onClick={() => (setEditing(true), setSaved(null))} aria-expanded={editing}>
              New
            </button>
          ) : null}
          {canWrite ? (
            <button type="button" class="secondary" onClick={() => setTool(tool === 'import' ? null : 'import')} aria-expanded={tool === 'import'}>
              Import
            </button>
          ) : null}
          <button type="button" class="secondary" onClick={onEvent(exportCsv)}>
            Export
          </button>
          {canWrite ? (
            <button type="button" class="secondary" onClick={() => setTool(tool === 'copy' ? null : 'copy')} aria-expanded={tool === 'copy'}>
              Copy to another store
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorMessage error={exportError} />
      {tool === 'import' && current ? (
        <CsvImport
          id="mapping-import-file"
          label="Import mappings"
          columns="platform_sku, system_sku, quantity (rows sharing a platform_sku form one combination)"
          upload={async (csv) => {
            const r = await uploadCsv<{ rows: number; mappings: number; created: number; updated: number; unchanged: number }>(`/v1/stores/${current}/mappings/import`, csv);
            return `Imported ${r.rows} rows: ${r.created} mappings created, ${r.updated} updated, ${r.unchanged} unchanged.`;
          }}
          onDone={() => list.reload()}
        />
      ) : null}
      {tool === 'copy' && current && stores.data ? <CopyMappings from={current} stores={stores.data.items} /> : null}
      {current ? <UnmappedQueue canWrite={canWrite} storeId={current} onMapped={() => list.reload()} onCombination={(sku) => (setPlatformSku(sku), setRows([{ sku: '', quantity: '1' }]), setEditing(true))} /> : null}
      {canWrite ? null : <ReadOnlyNote />}
      {saved ? <Status>{saved}</Status> : null}
      {editing && current ? (
        <form onSubmit={onEvent(save)} aria-label="New mapping" class="panel">
          <h2>New mapping</h2>
          <Field id="platform-sku" label="Platform SKU" hint="The SKU as the marketplace lists it.">
            <input id="platform-sku" required aria-describedby="platform-sku-hint" value={platformSku} onInput={(e) => setPlatformSku(e.currentTarget.value)} />
          </Field>
          <fieldset>
            <legend>Components</legend>
            <p class="hint" id="quantity-hint">
              Quantity is the conversion factor: how many units of this product the warehouse ships for one unit of the platform SKU (e.g. 6 for a
              six-pack). Several components make a combination.
            </p>
            {rows.map((r, i) => (
              <div class="component" key={i}>
                <Field id={`component-sku-${i}`} label={`System SKU ${i + 1}`}>
                  <input id={`component-sku-${i}`} required value={r.sku} onInput={(e) => setRow(i, { sku: e.currentTarget.value })} />
                </Field>
                <Field id={`component-qty-${i}`} label={`Quantity ${i + 1}`}>
                  <input
                    id={`component-qty-${i}`}
                    type="number"
                    min="1"
                    step="1"
                    required
                    aria-describedby="quantity-hint"
                    value={r.quantity}
                    onInput={(e) => setRow(i, { quantity: e.currentTarget.value })}
                  />
                </Field>
                {rows.length > 1 ? (
                  <button type="button" class="secondary" aria-label={`Remove component ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    −
                  </button>
                ) : null}
              </div>
            ))}
            <button type="button" class="plus" aria-label="Add component" title="Add component" onClick={addRow}>
              +
            </button>
          </fieldset>
          <ErrorMessage error={saveError} />
          <button type="submit">Save mapping</button>{' '}
          <button type="button" class="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : null}
      <ErrorMessage error={list.error} />
      {list.data ? (
        <table>
          <caption>Mappings of the store</caption>
          <thead>
            <tr>
              <th scope="col">Platform SKU</th>
              <th scope="col">Components (system SKU × quantity)</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {shown(list.data.items).length === 0 ? (
              <tr>
                <td colSpan={3}>No mappings.</td>
              </tr>
            ) : (
              shown(list.data.items).map((m) => (
                <tr key={m.platformSku}>
                  <td>{m.platformSku}</td>
                  <td>{m.components.map((c) => `${c.sku} × ${c.quantity}`).join(', ')}</td>
                  <td>{m.version}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
