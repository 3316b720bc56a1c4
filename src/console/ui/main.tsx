import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, setTenant, type SessionInfo } from './api.js';
import { Field } from './components.js';
import { useRoute } from './hooks.js';
import { Attention } from './screens/Attention.js';
import { AddAuthorization, AuthorizationDetail, Authorizations } from './screens/Authorizations.js';
import { Mappings } from './screens/Mappings.js';
import { TenantsAndUsers } from './screens/TenantsAndUsers.js';
import { Orders } from './screens/Orders.js';
import { Products } from './screens/Products.js';
import { OrderDetailPage } from './screens/OrderDetail.js';
import { SignIn } from './screens/SignIn.js';
import { Stores } from './screens/Stores.js';
import { onEvent } from './events.js';
import { isHoldReason } from './holdReasons.js';

const NAV = [
  ['attention', 'Attention'],
  ['orders', 'Orders'],
  ['products', 'Products'],
  ['mappings', 'Product Mapping'],
  ['stores', 'Stores'],
  ['authorizations', 'Platform Authorization'],
  ['users', 'Tenants and users'],
] as const;

const ROLE_NAMES = { operator: 'Operator', seller_admin: 'Seller admin', seller_viewer: 'Seller viewer', auditor: 'Auditor' } as const;

/** Signed in: the header (tenant, user, sign-out), the navigation and the current screen. */
const Layout = ({ session, onSignOut, onTenantCreated }: { session: SessionInfo; onSignOut: () => void; onTenantCreated: (t: { tenantId: string; name: string }) => void }) => {
  const route = useRoute();
  const [tenantId, setTenantId] = useState(() => session.user.tenantId ?? sessionStorage.getItem('oms.tenant') ?? session.tenants[0]?.tenantId ?? null);
  // Operators and auditors pick a tenant; the API hears it in a header. Seller roles have theirs.
  setTenant(session.user.tenantId ? null : tenantId);
  const canWrite = session.user.role === 'operator' || session.user.role === 'seller_admin';
  const [section = 'orders', id] = route.path;
  const title = NAV.find(([key]) => key === section)?.[1] ?? 'Orders';
  useEffect(() => void (document.title = `${title} — OMS console`), [title]);
  const pick = (id: string) => {
    sessionStorage.setItem('oms.tenant', id);
    setTenantId(id);
  };
  const signOut = async () => {
    await api('DELETE', '/v1/session').catch(() => undefined);
    onSignOut();
  };
  const screen = (() => {
    // Tenants and users works without a picked tenant: it is where the first tenant is created.
    if (section === 'users') return <TenantsAndUsers session={session} tenantId={tenantId} onTenantCreated={(t) => (onTenantCreated(t), pick(t.tenantId))} />;
    if (!tenantId) return <p>No tenant yet: create one first.</p>;
    switch (section) {
      case 'attention':
        return <Attention key={tenantId} />;
      case 'authorizations':
        if (id === 'new') return <AddAuthorization key={`${tenantId}-${route.params.get('platform')}`} platform={route.params.get('platform') === 'walmart' ? 'walmart' : 'amazon'} />;
        // Back from a consent (src/http/consentPages.ts): a refusal is shown on the list with its code.
        if (route.params.get('outcome') === 'failed') {
          const failure = { code: route.params.get('code') ?? 'authorization_failed', reason: route.params.get('reason'), authorizationId: id ?? null };
          return <Authorizations key={tenantId} canWrite={canWrite} consentError={failure} />;
        }
        if (id)
          return (
            <AuthorizationDetail
              key={`${tenantId}-${id}`}
              authorizationId={id}
              canWrite={canWrite}
              arrived={route.params.get('outcome') === 'connected' ? 'consented' : route.params.has('created') ? 'created' : null}
            />
          );
        return <Authorizations key={tenantId} canWrite={canWrite} consentError={null} />;
      case 'products':
        return <Products canWrite={canWrite} key={tenantId} />;
      case 'mappings':
        return (
          <Mappings
            canWrite={canWrite}
            key={tenantId}
            storeId={route.params.get('store')}
            mapSku={route.params.get('map')}
            onStore={(s) => (location.hash = `#/mappings?store=${s}`)}
          />
        );
      case 'stores':
        return <Stores canWrite={canWrite} key={tenantId} />;
      default: {
        if (id) return <OrderDetailPage orderId={id} role={session.user.role} key={`${tenantId}-${id}`} />;
        // Attention links to the list filtered by hold reason.
        const holdReason = route.params.get('holdReason');
        return <Orders key={`${tenantId}-${holdReason ?? ''}`} holdReason={isHoldReason(holdReason) ? holdReason : null} />;
      }
    }
  })();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">OMS console</span>
        {session.user.tenantId ? (
          <span>{session.tenants[0]?.name ?? 'Your tenant'}</span>
        ) : (
          <Field id="tenant-picker" label="Tenant">
            <select id="tenant-picker" value={tenantId ?? ''} onChange={(e) => pick(e.currentTarget.value)}>
              {session.tenants.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <span class="who">
          {session.user.email} ({ROLE_NAMES[session.user.role]})
        </span>
        <button type="button" class="secondary" onClick={onEvent(signOut)}>
          Sign out
        </button>
      </header>
      <nav aria-label="Main">
        <ul>
          {NAV.map(([key, label]) => (
            <li key={key}>
              <a href={`#/${key}`} aria-current={key === section ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {session.user.mustChangePassword ? <p class="note">You signed in with a one-time password: please change it.</p> : null}
        {screen}
      </main>
    </>
  );
};

const App = () => {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  // Tenants created in this page: the session's list is read from events and can lag a moment.
  const [created, setCreated] = useState<{ tenantId: string; name: string }[]>([]);
  const signedIn = (s: SessionInfo | null, extra = created) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s && { ...s, tenants: [...s.tenants, ...extra.filter((t) => !s.tenants.some((x) => x.tenantId === t.tenantId))] });
  };
  useEffect(() => {
    api<SessionInfo>('GET', '/v1/session').then((s) => signedIn(s), () => signedIn(null));
  }, []);
  if (session === undefined) return <p role="status">Loading…</p>;
  const tenantCreated = (t: { tenantId: string; name: string }) => {
    const extra = [...created, t];
    setCreated(extra);
    void api<SessionInfo>('GET', '/v1/session').then(
      (s) => signedIn(s, extra),
      () => signedIn(null),
    );
  };
  return session ? <Layout session={session} onSignOut={() => signedIn(null)} onTenantCreated={tenantCreated} /> : <SignIn onSignedIn={(s) => signedIn(s)} />;
};

render(<App />, document.getElementById('app')!);
