import { useState } from 'preact/hooks';
import { api, query, uploadCsv, type Page, type Product } from '../api.js';
import { CsvImport, ErrorMessage, Field, ReadOnlyNote, Status } from '../components.js';
import { useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

/** System SKUs: search, list, create, import. */
export const Products = ({ canWrite }: { canWrite: boolean }) => {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  // The page keeps the search it answers, so the caption names what is shown while the next one loads.
  const { data, error, reload } = useLoad(
    async () => ({ page: await api<Page<Product>>('GET', `/v1/products${query({ q: search, limit: 100 })}`), search }),
    [search],
  );
  const [form, setForm] = useState({ sku: '', name: '', barcode: '' });
  const [saveError, setSaveError] = useState<Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setSaveError(null);
    setSaved(null);
    try {
      const p = await api<Product>('POST', '/v1/products', { sku: form.sku, name: form.name, ...(form.barcode ? { barcode: form.barcode } : {}) });
      setSaved(`Product ${p.sku} created.`);
      setForm({ sku: '', name: '', barcode: '' });
      reload();
    } catch (err) {
      setSaveError(err as Error);
    }
  };

  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">Products</h1>
      <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), setSearch(q))}>
        <Field id="product-search" label="Search products">
          <input id="product-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} />
      {data ? (
        <table>
          <caption>System SKUs{data.search ? ` matching “${data.search}”` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col">Barcode</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.page.items.length === 0 ? (
              <tr>
                <td colSpan={4}>No products.</td>
              </tr>
            ) : (
              data.page.items.map((p) => (
                <tr key={p.sku}>
                  <td>{p.sku}</td>
                  <td>{p.name}</td>
                  <td>{p.barcode ?? '—'}</td>
                  <td>{p.status}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ) : null}
      <h2>Create a product</h2>
      {canWrite ? (
        <form onSubmit={onEvent(create)} aria-label="Create a product">
          <Field id="new-sku" label="SKU">
            <input id="new-sku" required value={form.sku} onInput={(e) => setForm({ ...form, sku: e.currentTarget.value })} />
          </Field>
          <Field id="new-name" label="Name">
            <input id="new-name" required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </Field>
          <Field id="new-barcode" label="Barcode (optional)">
            <input id="new-barcode" value={form.barcode} onInput={(e) => setForm({ ...form, barcode: e.currentTarget.value })} />
          </Field>
          <ErrorMessage error={saveError} />
          {saved ? <Status>{saved}</Status> : null}
          <button type="submit">Create product</button>
        </form>
      ) : null}
      {canWrite ? (
        <CsvImport
          id="product-import-file"
          label="Import products"
          columns="sku, name, barcode"
          upload={async (csv) => {
            const r = await uploadCsv<{ rows: number; created: number; updated: number; unchanged: number }>('/v1/products/import', csv);
            return `Imported ${r.rows} rows: ${r.created} products created, ${r.updated} updated, ${r.unchanged} unchanged.`;
          }}
          onDone={reload}
        />
      ) : (
        <ReadOnlyNote />
      )}
    </section>
  );
};
