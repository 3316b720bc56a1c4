// Console users over real HTTP on the real PostgreSQL: sign-in (generic failure, throttling),
// the session cookie and its CSRF token on the /v1 API, role checks (read-only roles, seller roles
// bound to their tenant), e-mail uniqueness under concurrency, password change, sign-out, expiry.
import t from 'tap';
import { movableClock } from '../support/marketplaces.js';
import { ADMIN_TOKEN, json, startTestService, type TestService } from '../support/service.js';
import { createTenant, seedStore } from '../support/tenants.js';

type Session = Readonly<{ cookie: string; csrf: string; body: Record<string, unknown> }>;

const signIn = async (svc: TestService, email: string, password: string) =>
  svc.call('POST', '/v1/session', { body: { email, password }, headers: { 'x-forwarded-for': 'ignored' } });

const sessionOf = async (svc: TestService, email: string, password: string): Promise<Session> => {
  const res = await signIn(svc, email, password);
  if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const body = await json(res);
  return { cookie, csrf: body.csrfToken, body };
};

/** A request as the console makes it: the cookie, the CSRF token, optionally a picked tenant. */
const as = (svc: TestService, s: Session, method: string, path: string, opts: { body?: unknown; tenant?: string; csrf?: boolean } = {}) =>
  svc.call(method, path, {
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    headers: { cookie: s.cookie, ...(opts.csrf === false ? {} : { 'x-csrf-token': s.csrf }), ...(opts.tenant ? { 'x-oms-tenant': opts.tenant } : {}) },
  });

const createUser = async (svc: TestService, body: Record<string, unknown>) => {
  const res = await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body });
  t.equal(res.status, 201, `user ${String(body.email)} created`);
  return json(res);
};

const eventCount = async (svc: TestService) => Number((await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events')).rows[0]!.n);

t.test('console users, sessions and role checks', async (t) => {
  const clock = movableClock();
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '100000' }, { clock, timing: clock.timing });
  await t.test('the first operator (embedded mode and the demo): made once, with a one-time password', async (t) => {
    const first = await svc.users.ensureFirstOperator('First@OMS.local', { actor: 'system' });
    t.match(first, { email: 'first@oms.local', oneTimePassword: /^[\w-]{24}$/ });
    t.same(await svc.users.ensureFirstOperator('first@oms.local', { actor: 'system' }), { email: 'first@oms.local', oneTimePassword: null }, 'not again');
    // The test's config has no DATABASE_URL (the database is injected), so the service counts as embedded.
    t.same(await svc.firstOperator(), { email: 'operator@oms.local', oneTimePassword: null }, 'a user exists: the service makes none');
  });
  const a = await createTenant(svc, 'Alpha');
  const b = await createTenant(svc, 'Bravo');
  const operator = await createUser(svc, { email: 'Ops@Example.com', role: 'operator' });
  t.match(operator, { email: 'ops@example.com', role: 'operator', tenantId: null, oneTimePassword: /^[\w-]{24}$/ });

  await t.test('sign-in: one generic failure for a wrong password and an unknown e-mail', async (t) => {
    const wrong = await signIn(svc, 'ops@example.com', 'not the password');
    const unknown = await signIn(svc, 'nobody@example.com', 'not the password');
    t.equal(wrong.status, 401);
    t.equal(unknown.status, 401);
    const [w, u] = [await json(wrong), await json(unknown)];
    t.match(w, { code: 'sign_in_failed' });
    t.same(u, w, 'the same answer: an e-mail cannot be probed');
    t.notOk(wrong.headers.get('set-cookie'), 'no cookie on failure');
  });

  const ops = await sessionOf(svc, 'OPS@example.com ', operator.oneTimePassword);

  await t.test('sign-in sets an httpOnly, SameSite=Strict cookie and returns the CSRF token', async (t) => {
    const res = await signIn(svc, 'ops@example.com', operator.oneTimePassword);
    const cookie = res.headers.get('set-cookie')!;
    t.match(cookie, /^oms_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/, 'no Secure flag over plain http');
    t.match(ops.body, { user: { email: 'ops@example.com', role: 'operator', mustChangePassword: true }, csrfToken: /^[\w-]{43}$/ });
    t.same((ops.body.tenants as { name: string }[]).map((x) => x.name), ['Alpha', 'Bravo'], 'an operator may pick any tenant');
    const me = await as(svc, ops, 'GET', '/v1/session');
    t.equal(me.status, 200);
    t.equal((await json(me)).csrfToken, ops.csrf, 'the same CSRF token after a reload');
    t.match(await json(await svc.call('GET', '/v1/session')), { status: 401, code: 'not_signed_in' });
    t.equal((await svc.call('GET', '/v1/session', { headers: { cookie: 'oms_session=' + 'x'.repeat(43) } })).status, 401, 'an unknown session');
  });

  await t.test('the session authenticates /v1; state changes need the CSRF token', async (t) => {
    const w0 = await eventCount(svc);
    const noCsrf = await as(svc, ops, 'POST', '/v1/tenants', { body: { name: 'Forged' }, csrf: false });
    t.equal(noCsrf.status, 403);
    t.match(await json(noCsrf), { code: 'csrf_token_invalid' });
    const wrongCsrf = await svc.call('POST', '/v1/tenants', { body: { name: 'Forged' }, headers: { cookie: ops.cookie, 'x-csrf-token': 'x'.repeat(43) } });
    t.equal(wrongCsrf.status, 403);
    t.equal(await eventCount(svc), w0, 'nothing written without the token');
    const created = await as(svc, ops, 'POST', '/v1/tenants', { body: { name: 'Charlie' } });
    t.equal(created.status, 201, 'an operator without a picked tenant administers tenants');
    const history = await svc.store.readStream(`tenant-${(await json(created)).tenantId}`);
    t.equal(history[0]?.metadata.actor, `user:${operator.userId}`, 'the user is recorded as the actor');
    const product = await as(svc, ops, 'POST', '/v1/products', { body: { sku: 'OPS-1', name: 'Made by ops' }, tenant: a.tenantId });
    t.equal(product.status, 201, 'an operator acts in the tenant it picked');
    t.equal((await svc.call('GET', '/v1/products/OPS-1', { token: a.apiKey })).status, 200, 'in tenant A');
    t.match(await json(await as(svc, ops, 'GET', '/v1/products', { tenant: 'not-a-tenant' })), { status: 400, code: 'invalid_tenant_header' });
    const w1 = await eventCount(svc);
    const phantom = await as(svc, ops, 'POST', '/v1/products', { body: { sku: 'P-1', name: 'x' }, tenant: '00000000-0000-4000-8000-000000000000' });
    t.match(await json(phantom), { status: 400, code: 'unknown_tenant' }, 'a picked tenant must exist');
    t.equal(await eventCount(svc), w1, 'nothing written for a phantom tenant');
    t.equal((await svc.call('GET', '/v1/stores')).status, 401, 'without a cookie or key: 401');
  });

  await t.test('a seller viewer reads its tenant only and cannot change anything', async (t) => {
    const viewer = await createUser(svc, { email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: a.tenantId, password: 'viewer password 1' });
    t.equal(viewer.oneTimePassword, null, 'no one-time password when one was given');
    const s = await sessionOf(svc, 'viewer@alpha.example', 'viewer password 1');
    t.same((s.body.tenants as { tenantId: string }[]).map((x) => x.tenantId), [a.tenantId], 'only its own tenant');
    await svc.call('POST', '/v1/products', { token: b.apiKey, body: { sku: 'BRAVO-1', name: 'Bravo product' } });
    const bStore = await seedStore(svc, b.tenantId);
    const list = await json(await as(svc, s, 'GET', '/v1/products'));
    t.same(list.items.map((p: { sku: string }) => p.sku), ['OPS-1'], "A's products only");
    t.equal((await as(svc, s, 'GET', '/v1/products/BRAVO-1')).status, 404, "another tenant's product: 404");
    t.equal((await as(svc, s, 'GET', `/v1/stores/${bStore}`)).status, 404, "another tenant's store: 404");
    t.equal((await as(svc, s, 'GET', `/v1/products/BRAVO-1`, { tenant: b.tenantId })).status, 404, 'a seller cannot pick another tenant');
    const w0 = await eventCount(svc);
    for (const [method, path, body] of [
      ['POST', '/v1/products', { sku: 'VIEWER-1', name: 'x' }],
      ['PATCH', '/v1/products/OPS-1', { name: 'renamed' }],
      ['POST', `/v1/stores/${bStore}/sync`, undefined],
      ['POST', '/v1/users', { email: 'x@alpha.example', role: 'seller_viewer', tenantId: a.tenantId }],
    ] as const) {
      const res = await as(svc, s, method, path, body === undefined ? {} : { body });
      t.equal(res.status, 403, `${method} ${path} → 403`);
      t.match(await json(res), { code: 'read_only_role' });
    }
    t.equal(await eventCount(svc), w0, 'nothing written');
    const auditor = await createUser(svc, { email: 'audit@example.com', role: 'auditor', password: 'auditor password' });
    const au = await sessionOf(svc, 'audit@example.com', 'auditor password');
    t.equal((await as(svc, au, 'GET', '/v1/products', { tenant: b.tenantId })).status, 200, 'an auditor reads any tenant');
    t.match(await json(await as(svc, au, 'POST', '/v1/tenants', { body: { name: 'No' } })), { status: 403, code: 'read_only_role' });
    t.ok(auditor.userId);
  });

  await t.test('who may create users', async (t) => {
    const admin = await createUser(svc, { email: 'admin@alpha.example', role: 'seller_admin', tenantId: a.tenantId, password: 'seller admin password' });
    const s = await sessionOf(svc, admin.email, 'seller admin password');
    const ok = await as(svc, s, 'POST', '/v1/users', { body: { email: 'clerk@alpha.example', role: 'seller_viewer', tenantId: a.tenantId } });
    t.equal(ok.status, 201, 'a seller admin creates a viewer of its tenant');
    for (const body of [
      { email: 'x@bravo.example', role: 'seller_viewer', tenantId: b.tenantId },
      { email: 'x@alpha.example', role: 'operator' },
    ]) {
      t.match(await json(await as(svc, s, 'POST', '/v1/users', { body })), { status: 403, code: 'user_admin_required' }, `refused: ${body.email} ${body.role}`);
    }
    t.match(await json(await svc.call('POST', '/v1/users', { token: a.apiKey, body: { email: 'k@alpha.example', role: 'seller_viewer', tenantId: a.tenantId } })), {
      status: 403,
      code: 'user_admin_required',
    });
    t.match(await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { email: 'y@example.com', role: 'seller_admin' } })), { status: 422, code: 'role_tenant_mismatch' });
    t.match(await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { email: 'not an address', role: 'operator' } })), { status: 422, code: 'invalid_email' });
    t.match(await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { email: 'z@example.com', role: 'operator', password: 'short' } })), { status: 422, code: 'password_too_short' });
  });

  await t.test('an e-mail is unique, also under concurrent creation', async (t) => {
    const w0 = await eventCount(svc);
    const results = await Promise.all(
      ['race@example.com', 'RACE@example.com', ' race@Example.com', 'race@example.COM', 'Race@Example.Com'].map((email) =>
        svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { email, role: 'operator' } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    t.same(statuses, [201, 409, 409, 409, 409], 'exactly one wins');
    for (const r of results.filter((x) => x.status === 409)) t.match(await json(r), { code: 'email_taken' });
    t.equal(await eventCount(svc), w0 + 3, 'one user: created, password set, e-mail claimed');
  });

  await t.test('password change: the current password is checked; other sessions end', async (t) => {
    await createUser(svc, { email: 'pat@example.com', role: 'operator', password: 'first password 1' });
    const one = await sessionOf(svc, 'pat@example.com', 'first password 1');
    const two = await sessionOf(svc, 'pat@example.com', 'first password 1');
    const change = (s: Session, currentPassword: string, newPassword: string, csrf = true) =>
      as(svc, s, 'POST', '/v1/session/password', { body: { currentPassword, newPassword }, csrf });
    t.match(await json(await change(one, 'wrong password!', 'second password 2')), { status: 422, code: 'password_incorrect' });
    t.match(await json(await change(one, 'first password 1', 'short')), { status: 422, code: 'password_too_short' });
    t.match(await json(await change(one, 'first password 1', 'first password 1')), { status: 422, code: 'password_unchanged' });
    t.match(await json(await change(one, 'first password 1', 'second password 2', false)), { status: 403, code: 'csrf_token_invalid' });
    t.equal((await change(one, 'first password 1', 'second password 2')).status, 204);
    t.equal((await as(svc, one, 'GET', '/v1/session')).status, 200, 'this session goes on');
    t.equal((await as(svc, two, 'GET', '/v1/session')).status, 401, 'the other one ended');
    t.equal((await signIn(svc, 'pat@example.com', 'first password 1')).status, 401, 'the old password no longer works');
    const three = await sessionOf(svc, 'pat@example.com', 'second password 2');
    t.equal(three.body.user && (three.body.user as { mustChangePassword: boolean }).mustChangePassword, false);
  });

  await t.test('sign-out ends the session and clears the cookie', async (t) => {
    const s = await sessionOf(svc, 'pat@example.com', 'second password 2');
    t.equal((await as(svc, s, 'DELETE', '/v1/session', { csrf: false })).status, 403, 'sign-out needs the CSRF token too');
    const out = await as(svc, s, 'DELETE', '/v1/session');
    t.equal(out.status, 204);
    t.match(out.headers.get('set-cookie'), /^oms_session=; .*Max-Age=0/);
    t.equal((await as(svc, s, 'GET', '/v1/stores', { tenant: a.tenantId })).status, 401, 'the cookie no longer authenticates');
  });

  await t.test('sessions expire after 12 hours', async (t) => {
    const s = await sessionOf(svc, 'pat@example.com', 'second password 2');
    clock.advance(12 * 60 * 60_000 + 1000);
    t.equal((await as(svc, s, 'GET', '/v1/session')).status, 401);
  });

  await t.test('sign-in is throttled per e-mail and per address, with Retry-After', async (t) => {
    await createUser(svc, { email: 'slow@example.com', role: 'operator', password: 'the right password' });
    for (let i = 0; i < 5; i++) t.equal((await signIn(svc, 'slow@example.com', `wrong ${i}`)).status, 401);
    const blocked = await signIn(svc, 'slow@example.com', 'the right password');
    t.equal(blocked.status, 429, 'even the right password waits');
    t.match(await json(blocked), { code: 'sign_in_throttled' });
    t.ok(Number(blocked.headers.get('retry-after')) > 0);
    clock.advance(15 * 60_000 + 1000);
    t.equal((await signIn(svc, 'slow@example.com', 'the right password')).status, 200, 'after the window');
    // Per address: many e-mails from one client.
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await signIn(svc, `guess${i}@example.com`, 'guess')).status;
    t.equal(last, 429, 'the 31st failure from one address is throttled');
    clock.advance(15 * 60_000 + 1000);
  });

  await t.test('no password, one-time password or session id in the logs or the events', async (t) => {
    const logs = svc.logs();
    for (const secret of [operator.oneTimePassword, 'second password 2', 'viewer password 1', ops.cookie.split('=')[1]!, ops.csrf]) {
      t.notOk(logs.includes(secret), 'not in the logs');
    }
    const { rows } = await svc.db.query<{ data: unknown }>("SELECT data FROM es_events WHERE event_type = 'PasswordSet'");
    t.ok(rows.length >= 5);
    for (const row of rows) t.match(JSON.stringify(row.data), /"passwordHash":"scrypt\$15\$8\$1\$/, 'only the scrypt hash');
    t.notOk(JSON.stringify(rows).includes('second password 2'));
  });
});
