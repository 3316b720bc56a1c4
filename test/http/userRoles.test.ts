// Role management over real HTTP: changing a user's role and disabling a user, as events with the
// actor; a seller admin only within its tenant and never to operator; a disabled user's sessions end.
import t from 'tap';
import { ADMIN_TOKEN, json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

type Session = Readonly<{ cookie: string; csrf: string; userId: string }>;
const PASSWORD = 'a long enough password';

const user = async (svc: TestService, body: Record<string, unknown>) => (await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { ...body, password: PASSWORD } }))).userId as string;
const signIn = async (svc: TestService, email: string, userId: string): Promise<Session> => {
  const res = await svc.call('POST', '/v1/session', { body: { email, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status}`);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: (await json(res)).csrfToken, userId };
};

t.test('role management: change a role, disable a user', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '100000' });
  const a = await createTenant(svc, 'Alpha');
  const b = await createTenant(svc, 'Bravo');
  const opsId = await user(svc, { email: 'ops@oms.example', role: 'operator' });
  const adminId = await user(svc, { email: 'admin@alpha.example', role: 'seller_admin', tenantId: a.tenantId });
  const viewerId = await user(svc, { email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: a.tenantId });
  const bravoId = await user(svc, { email: 'viewer@bravo.example', role: 'seller_viewer', tenantId: b.tenantId });
  const ops = await signIn(svc, 'ops@oms.example', opsId);
  const admin = await signIn(svc, 'admin@alpha.example', adminId);
  const as = (s: Session, method: string, path: string, body?: unknown) =>
    svc.call(method, path, { ...(body !== undefined ? { body } : {}), headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  const stream = (id: string) => svc.store.readStream(`user-${id}`);

  await t.test('a seller admin: its own tenant, seller roles only', async (t) => {
    const promoted = await as(admin, 'PUT', `/v1/users/${viewerId}/role`, { role: 'seller_admin', tenantId: a.tenantId });
    t.equal(promoted.status, 200);
    t.match(await json(promoted), { userId: viewerId, role: 'seller_admin', tenantId: a.tenantId });
    t.match((await stream(viewerId)).at(-1), { type: 'RoleChanged', data: { role: 'seller_admin' }, metadata: { actor: `user:${adminId}` } }, 'an event with the actor');
    const before = (await stream(viewerId)).length;
    t.match(await json(await as(admin, 'PUT', `/v1/users/${viewerId}/role`, { role: 'operator' })), { status: 403, code: 'user_admin_required' }, 'never to operator');
    t.match(await json(await as(admin, 'PUT', `/v1/users/${viewerId}/role`, { role: 'seller_viewer', tenantId: b.tenantId })), { status: 403, code: 'user_admin_required' }, 'never into another tenant');
    t.equal((await as(admin, 'PUT', `/v1/users/${bravoId}/role`, { role: 'seller_admin', tenantId: b.tenantId })).status, 404, "another tenant's user: not found");
    t.equal((await as(admin, 'POST', `/v1/users/${bravoId}/disable`)).status, 404);
    t.equal((await as(admin, 'PUT', `/v1/users/${opsId}/role`, { role: 'auditor' })).status, 404, 'operators are not a seller admin’s to see');
    t.match(await json(await as(admin, 'PUT', `/v1/users/${adminId}/role`, { role: 'seller_viewer', tenantId: a.tenantId })), { status: 409, code: 'own_account' });
    t.equal((await stream(viewerId)).length, before, 'nothing written');
    t.match(await json(await svc.call('PUT', `/v1/users/${viewerId}/role`, { token: a.apiKey, body: { role: 'seller_viewer', tenantId: a.tenantId } })), { status: 403, code: 'user_admin_required' }, 'API keys administer no users');
  });

  await t.test('an operator changes any role; the decider keeps the tenant binding right', async (t) => {
    t.match(await json(await as(ops, 'PUT', `/v1/users/${bravoId}/role`, { role: 'auditor', tenantId: b.tenantId })), { status: 422, code: 'role_tenant_mismatch' });
    t.match(await json(await as(ops, 'PUT', `/v1/users/${bravoId}/role`, { role: 'auditor' })), { userId: bravoId, role: 'auditor', tenantId: null });
    t.match(await json(await as(ops, 'PUT', `/v1/users/${opsId}/role`, { role: 'auditor' })), { status: 409, code: 'own_account' });
    t.match(await json(await as(ops, 'PUT', `/v1/users/00000000-0000-4000-8000-000000000000/role`, { role: 'auditor' })), { status: 404 });
  });

  await t.test('disabling ends the user’s sessions at once', async (t) => {
    const viewer = await signIn(svc, 'viewer@alpha.example', viewerId);
    t.equal((await as(viewer, 'GET', '/v1/session')).status, 200);
    t.equal((await as(admin, 'POST', `/v1/users/${viewerId}/disable`)).status, 204);
    t.match((await stream(viewerId)).at(-1), { type: 'UserDisabled', metadata: { actor: `user:${adminId}` } });
    t.equal((await as(viewer, 'GET', '/v1/session')).status, 401, 'signed out');
    const rows = await svc.db.query('SELECT 1 FROM console_sessions WHERE user_id = $1', [viewerId]);
    t.equal(rows.rows.length, 0, 'its sessions are deleted');
    t.equal((await svc.call('POST', '/v1/session', { body: { email: 'viewer@alpha.example', password: PASSWORD } })).status, 401, 'cannot sign in');
    t.equal((await as(admin, 'POST', `/v1/users/${viewerId}/disable`)).status, 204, 'again: a no-op');
    t.match(await json(await as(admin, 'PUT', `/v1/users/${viewerId}/role`, { role: 'seller_viewer', tenantId: a.tenantId })), { status: 409, code: 'user_disabled' });
    t.equal((await svc.call('POST', `/v1/users/${adminId}/disable`, { token: ADMIN_TOKEN })).status, 204, 'the admin token disables anyone');
    t.equal((await as(admin, 'GET', '/v1/session')).status, 401);
  });
});
