// `oms users create` in-process against a running service's schema: the printed one-time password
// signs in over HTTP; usage errors exit 2 before any connection; a taken e-mail exits 1.
import t from 'tap';
import { run, type CliOutput } from '../../src/cli/run.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { json, startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

const oms = async (args: string[], env: Record<string, string>) => {
  let stdout = '';
  let stderr = '';
  const out: CliOutput = { write: (s: string) => (stdout += s) };
  const err: CliOutput = { write: (s: string) => (stderr += s) };
  const code = await run(args, { stdout: out, stderr: err, env });
  return { code, stdout, stderr };
};

t.test('oms users create', async (t) => {
  const svc = await startTestService(t);
  const db = svc.db as Database & { url: string; schema: string };
  const env = { NODE_ENV: 'test', DATABASE_URL: db.url, OMS_DB_SCHEMA: db.schema };

  const made = await oms(['users', 'create', '--role', 'operator', '--email', 'First@Example.com'], env);
  t.equal(made.code, 0, made.stderr);
  t.match(made.stdout, /^created operator first@example\.com, user id [0-9a-f-]{36}\n/);
  const password = /one-time password \(shown once; change it after signing in\): ([\w-]+)\n/.exec(made.stdout)?.[1];
  t.ok(password, 'the one-time password is printed');
  const signIn = await svc.call('POST', '/v1/session', { body: { email: 'first@example.com', password } });
  t.equal(signIn.status, 200, 'it signs in');
  t.match(await json(signIn), { user: { role: 'operator', mustChangePassword: true } });

  const tenant = await createTenant(svc, 'Seller');
  const seller = await oms(['users', 'create', '--role', 'seller_viewer', '--email', 'v@seller.example', '--tenant', tenant.tenantId, '--json'], env);
  t.equal(seller.code, 0, seller.stderr);
  t.match(JSON.parse(seller.stdout), { email: 'v@seller.example', role: 'seller_viewer', tenantId: tenant.tenantId, oneTimePassword: /^[\w-]{24}$/ });

  const taken = await oms(['users', 'create', '--role', 'auditor', '--email', 'first@EXAMPLE.com'], env);
  t.equal(taken.code, 1);
  t.match(taken.stderr, /email_taken/);
  const unbound = await oms(['users', 'create', '--role', 'seller_admin', '--email', 'x@seller.example'], env);
  t.equal(unbound.code, 1);
  t.match(unbound.stderr, /role_tenant_mismatch/);

  for (const [args, message] of [
    [['users'], /users needs an action/],
    [['users', 'delete'], /no such action: users delete/],
    [['users', 'create', '--email', 'a@b.example'], /--role: one of operator, seller_admin, seller_viewer, auditor/],
    [['users', 'create', '--role', 'operator'], /--email is needed/],
    [['users', 'create', '--role', 'seller_admin', '--email', 'a@b.example', '--tenant', 'nope'], /--tenant: expected a tenant id/],
  ] as const) {
    const r = await oms([...args], { NODE_ENV: 'test', DATABASE_URL: 'postgres://nowhere.invalid/x' });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message);
  }
  const help = await oms(['users', '--help'], {});
  t.match(help.stdout, /Usage: oms users create --role <role> --email <address>/);
});
