import type { ComponentChildren } from 'preact';
import { ApiError } from './api.js';

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
