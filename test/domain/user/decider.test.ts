import t from 'tap';
import type { UserCommand } from '../../../src/domain/user/commands.js';
import { normalizeEmail, userDecider, userEmailStreamId, userStreamId } from '../../../src/domain/user/decider.js';
import { passwordSet, roleChanged, userCreated, userDisabled, UserEvent } from '../../../src/domain/user/events.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(userDecider);
const now = '2026-12-01T10:00:00.000Z';
const later = '2026-12-02T10:00:00.000Z';
const userId = 'u-1';
type Data<T extends UserCommand['type']> = Extract<UserCommand, { type: T }>['data'];

const create = (data: Partial<Data<'CreateUser'>> = {}): UserCommand => ({
  type: 'CreateUser',
  data: { userId, email: 'ann@example.com', role: 'operator', tenantId: null, passwordHash: 'scrypt$h1', mustChange: true, now, ...data },
});
const created = userCreated({ userId, email: 'ann@example.com', role: 'operator', tenantId: null, createdAt: now });
const firstPassword = passwordSet({ userId, passwordHash: 'scrypt$h1', mustChange: true, setAt: now });
const disabled = userDisabled({ userId, disabledAt: later });

t.test('CreateUser records the user and the first password, e-mail normalized', async (t) => {
  spec(t).given().when(create({ email: '  Ann@Example.COM ' })).then(created, firstPassword);
});

t.test('a seller role is bound to a tenant; operator and auditor are not', async (t) => {
  spec(t)
    .given()
    .when(create({ role: 'seller_viewer', tenantId: 't-1', mustChange: false }))
    .then(
      userCreated({ userId, email: 'ann@example.com', role: 'seller_viewer', tenantId: 't-1', createdAt: now }),
      passwordSet({ userId, passwordHash: 'scrypt$h1', mustChange: false, setAt: now }),
    );
  spec(t).given().when(create({ role: 'seller_admin', tenantId: null })).thenThrows('role_tenant_mismatch');
  spec(t).given().when(create({ role: 'auditor', tenantId: 't-1' })).thenThrows('role_tenant_mismatch');
});

t.test('invalid e-mail addresses are refused', async (t) => {
  for (const email of ['', 'ann', 'ann@', '@example.com', 'a b@example.com', 'ann@example', `${'a'.repeat(65)}@example.com`, `a@${'b'.repeat(250)}.com`]) {
    spec(t).given().when(create({ email })).thenThrows('invalid_email');
  }
});

t.test('creating an existing user → user_exists', async (t) => {
  spec(t).given(created, firstPassword).when(create()).thenThrows('user_exists');
});

t.test('SetPassword replaces the hash; refused for a disabled or unknown user', async (t) => {
  const cmd: UserCommand = { type: 'SetPassword', data: { passwordHash: 'scrypt$h2', mustChange: false, now: later } };
  spec(t).given(created, firstPassword).when(cmd).then(passwordSet({ userId, passwordHash: 'scrypt$h2', mustChange: false, setAt: later }));
  spec(t).given(created, firstPassword, disabled).when(cmd).thenThrows('user_disabled');
  spec(t).given().when(cmd).thenThrows('not_found');
});

t.test('ChangeRole checks the binding and is a no-op when nothing changes', async (t) => {
  const to = (role: Data<'ChangeRole'>['role'], tenantId: string | null): UserCommand => ({ type: 'ChangeRole', data: { role, tenantId, now: later } });
  spec(t).given(created).when(to('seller_admin', 't-9')).then(roleChanged({ userId, role: 'seller_admin', tenantId: 't-9', changedAt: later }));
  spec(t).given(created).when(to('operator', null)).thenNothingHappened();
  spec(t).given(created).when(to('seller_admin', null)).thenThrows('role_tenant_mismatch');
  spec(t).given(created, disabled).when(to('auditor', null)).thenThrows('user_disabled');
});

t.test('DisableUser once; again is a no-op', async (t) => {
  const cmd: UserCommand = { type: 'DisableUser', data: { now: later } };
  spec(t).given(created).when(cmd).then(disabled);
  spec(t).given(created, disabled).when(cmd).thenNothingHappened();
});

t.test('the state folds every event; events survive their schema', async (t) => {
  const history = [created, firstPassword, roleChanged({ userId, role: 'auditor', tenantId: null, changedAt: later }), disabled];
  for (const e of history) t.same(UserEvent.parse(e), e);
  t.same(foldEvents(userDecider, history), {
    status: 'disabled',
    userId,
    email: 'ann@example.com',
    role: 'auditor',
    tenantId: null,
    passwordHash: 'scrypt$h1',
    mustChangePassword: true,
    createdAt: now,
  });
  t.same(foldEvents(userDecider, [firstPassword, disabled]), { status: 'absent' }, 'events before creation change nothing');
  t.same(foldEvents(userDecider, [roleChanged({ userId, role: 'auditor', tenantId: null, changedAt: later })]), { status: 'absent' });
});

t.test('stream ids', async (t) => {
  t.equal(userStreamId('u-1'), 'user-u-1');
  t.equal(normalizeEmail(' A@B.C '), 'a@b.c');
  t.equal(userEmailStreamId('Ann+x@Example.com'), userEmailStreamId('ann+x@example.com'));
  t.equal(userEmailStreamId('ann+x@example.com'), 'user_email-ann%2Bx%40example.com');
});
