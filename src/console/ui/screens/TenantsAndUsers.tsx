import { useState } from 'preact/hooks';
import { api, type ConsoleUser, type Role, type SessionInfo } from '../api.js';
import { ErrorMessage, Field, ReadOnlyNote, Status } from '../components.js';
import { useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

const ROLE_NAMES: Record<Role, string> = { operator: 'Operator', seller_admin: 'Seller admin', seller_viewer: 'Seller viewer', auditor: 'Auditor' };
const SELLER_ROLES: Role[] = ['seller_admin', 'seller_viewer'];
const STAFF_ROLES: Role[] = ['operator', 'auditor'];
/** The users list's choice for operators and auditors, who belong to no tenant. */
const STAFF = 'staff';

/** Operators: create a tenant (a seller). Administration: sent without a picked tenant. */
const CreateTenant = ({ onCreated }: { onCreated: (tenant: { tenantId: string; name: string }) => void }) => {
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    setError(null);
    try {
      const t = await api<{ tenantId: string; name: string }>('POST', '/v1/tenants', { name }, { noTenant: true });
      setMessage(`Tenant ${t.name} created.`);
      setName('');
      onCreated({ tenantId: t.tenantId, name: t.name });
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form class="inline" aria-label="Create a tenant" onSubmit={onEvent(create)}>
      <Field id="tenant-name" label="New tenant’s name">
        <input id="tenant-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <button type="submit">Create tenant</button>
      {message ? <Status>{message}</Status> : null}
      <ErrorMessage error={error} />
    </form>
  );
};

/** A new user: e-mail and role; without a password a one-time password is shown here once. */
const CreateUser = ({ roles, tenantId, onCreated }: { roles: Role[]; tenantId: string | null; onCreated: (user: ConsoleUser) => void }) => {
  const [form, setForm] = useState({ email: '', role: roles[0]!, password: '' });
  const [created, setCreated] = useState<{ email: string; oneTimePassword: string | null } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setCreated(null);
    setError(null);
    try {
      const u = await api<{ userId: string; email: string; role: Role; tenantId: string | null; oneTimePassword: string | null }>(
        'POST',
        '/v1/users',
        { email: form.email, role: form.role, tenantId, ...(form.password ? { password: form.password } : {}) },
        { noTenant: true },
      );
      setCreated(u);
      setForm({ ...form, email: '', password: '' });
      onCreated({ userId: u.userId, email: u.email, role: u.role, tenantId: u.tenantId, mustChangePassword: u.oneTimePassword !== null, status: 'active' });
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form class="panel" aria-label="Create a user" onSubmit={onEvent(create)}>
      <h2>Create a user</h2>
      <Field id="user-email" label="Email">
        <input id="user-email" type="email" required autocomplete="off" value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
      </Field>
      <Field id="user-role" label="Role">
        <select id="user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field id="user-password" label="Password (optional)" hint="At least 12 characters. Leave empty for a one-time password, shown once, which the user changes at first sign-in.">
        <input
          id="user-password"
          type="password"
          autocomplete="new-password"
          aria-describedby="user-password-hint"
          value={form.password}
          onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
        />
      </Field>
      <button type="submit">Create user</button>
      {created ? (
        <Status>
          User {created.email} created.
          {created.oneTimePassword ? ` One-time password (shown only now): ${created.oneTimePassword}` : ''}
        </Status>
      ) : null}
      <ErrorMessage error={error} />
    </form>
  );
};

/**
 * Tenants and users. Operators: every tenant, create tenants, users of any tenant (and the operators
 * and auditors); seller admins: the users of their tenant; read-only roles: the lists.
 */
export const TenantsAndUsers = ({ session, tenantId, onTenantCreated }: { session: SessionInfo; tenantId: string | null; onTenantCreated: (tenant: { tenantId: string; name: string }) => void }) => {
  const role = session.user.role;
  const seller = session.user.tenantId !== null;
  const [scope, setScope] = useState<string>(seller ? session.user.tenantId! : (tenantId ?? STAFF));
  const listed = seller ? session.user.tenantId! : scope;
  const users = useLoad(
    () => api<{ items: ConsoleUser[] }>('GET', `/v1/users${listed === STAFF || seller ? '' : `?tenantId=${listed}`}`, undefined, { noTenant: !seller }),
    [listed],
  );
  // Users created here are shown at once: the list is read from events and can lag a moment.
  const [recent, setRecent] = useState<ConsoleUser[]>([]);
  const loaded = users.data?.items ?? [];
  const shown = [...loaded, ...recent.filter((r) => !loaded.some((u) => u.userId === r.userId))]
    .filter((u) => (listed === STAFF ? u.tenantId === null : u.tenantId === listed))
    .sort((a, b) => a.email.localeCompare(b.email));
  const tenantName = (id: string | null) => (id === null ? 'Operators and auditors' : (session.tenants.find((t) => t.tenantId === id)?.name ?? id));
  const roles = role === 'operator' ? (listed === STAFF ? STAFF_ROLES : SELLER_ROLES) : role === 'seller_admin' ? SELLER_ROLES : [];
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants and users</h1>
      {roles.length ? null : <ReadOnlyNote />}
      {seller ? null : (
        <>
          <table>
            <caption>Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Tenant id</th>
              </tr>
            </thead>
            <tbody>
              {session.tenants.length === 0 ? (
                <tr>
                  <td colSpan={2}>No tenants yet.</td>
                </tr>
              ) : (
                session.tenants.map((t) => (
                  <tr key={t.tenantId}>
                    <td>{t.name}</td>
                    <td>{t.tenantId}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          {role === 'operator' ? <CreateTenant onCreated={(t) => (setScope(t.tenantId), onTenantCreated(t))} /> : null}
          <Field id="users-of" label="Users of">
            <select id="users-of" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
              <option value={STAFF}>Operators and auditors</option>
              {session.tenants.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
      <ErrorMessage error={users.error} />
      {users.data ? (
        <table>
          <caption>Users: {tenantName(listed === STAFF ? null : listed)}</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={3}>No users.</td>
              </tr>
            ) : (
              shown.map((u) => (
                <tr key={u.userId}>
                  <td>{u.email}</td>
                  <td>{ROLE_NAMES[u.role]}</td>
                  <td>
                    {u.status}
                    {u.mustChangePassword ? ' (one-time password)' : ''}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      ) : null}
      {roles.length ? <CreateUser key={listed} roles={roles} tenantId={listed === STAFF ? null : listed} onCreated={(u) => (setRecent([...recent, u]), users.reload())} /> : null}
    </section>
  );
};
