import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type ImportIssue } from './api.js';
import { onEvent } from './events.js';

/** An error from the API, read out by screen readers (role=alert). */
export const ErrorMessage = ({ error }: { error: Error | null }) =>
  error ? (
    <p class="error" role="alert">
      {error instanceof ApiError && error.status === 404 ? 'Not found.' : error.message}
    </p>
  ) : null;

export const Status = ({ children }: { children: ComponentChildren }) => (
  <p class="status" role="status">
    {children}
  </p>
);

export const Field = ({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ComponentChildren }) => (
  <div class="field">
    <label for={id}>{label}</label>
    {children}
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
  </div>
);

export const ReadOnlyNote = () => <p class="note">Your role can only read: changes are not available.</p>;

/** A refused import's problems, each against the spreadsheet's row number (the header is row 1). */
export const ImportProblems = ({ error }: { error: ApiError }) => {
  const issues = Array.isArray(error.problem?.issues) ? (error.problem.issues as ImportIssue[]) : [];
  const total = typeof error.problem?.totalIssues === 'number' ? error.problem.totalIssues : issues.length;
  return (
    <div class="problems">
      <p class="error" role="alert">
        {error.message}
      </p>
      {issues.length ? (
        <table>
          <caption>
            Problems in the file{total > issues.length ? ` (the first ${issues.length} of ${total})` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {issues.map((i, n) => (
              <tr key={n}>
                <td>{i.row === null ? 'whole file' : `Row ${i.row}`}</td>
                <td>{i.column ?? '—'}</td>
                <td>{i.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
};

/**
 * Import from a CSV file (the whole file or nothing): pick the file, send it as text/csv, and show
 * either the counts or every bad row with its row number.
 */
export const CsvImport = ({ id, label, columns, upload, onDone }: { id: string; label: string; columns: string; upload: (csv: string) => Promise<string>; onDone?: () => void }) => {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await upload(await file.text()));
      onDone?.();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" aria-label={label} onSubmit={onEvent(send)}>
      <h2>{label}</h2>
      <Field id={id} label="CSV file" hint={`Columns: ${columns}. The first row is the header; all rows are imported or none.`}>
        <input id={id} type="file" accept=".csv,text/csv" aria-describedby={`${id}-hint`} required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </Field>
      <button type="submit" disabled={busy}>
        Import
      </button>
      {result ? <Status>{result}</Status> : null}
      {error instanceof ApiError && error.code === 'import_invalid' ? <ImportProblems error={error} /> : <ErrorMessage error={error} />}
    </form>
  );
};
