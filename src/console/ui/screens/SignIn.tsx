import { useState } from 'preact/hooks';
import { api, type SessionInfo } from '../api.js';
import { ErrorMessage, Field } from '../components.js';
import { onEvent } from '../events.js';

export const SignIn = ({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) => {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api<SessionInfo>('POST', '/v1/session', { email, password }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>OMS console</h1>
      <form onSubmit={onEvent(submit)} aria-label="Sign in">
        <Field id="email" label="Email">
          <input id="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="password" label="Password">
          <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
};
