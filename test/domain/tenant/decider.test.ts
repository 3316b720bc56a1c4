import t from 'tap';
import { tenantDecider, tenantErrorCodes } from '../../../src/domain/tenant/decider.js';
import { apiKeyIssued, apiKeyRevoked, tenantCreated } from '../../../src/domain/tenant/events.js';
import { deciderSpec } from '../../support/deciderSpec.js';

const spec = deciderSpec(tenantDecider)(t);
const NOW = '2026-12-03T12:00:00.000Z';
const LATER = '2026-12-03T13:00:00.000Z';
const created = tenantCreated({ tenantId: 't-1', name: 'Acme', createdAt: NOW });
const key = { tenantId: 't-1', keyId: 'k-1', name: 'ci', salt: 's', keyHash: 'h' };
const issued = apiKeyIssued({ ...key, issuedAt: NOW });
const revoked = apiKeyRevoked({ tenantId: 't-1', keyId: 'k-1', revokedAt: NOW });

t.test('CreateTenant: a new tenant with its trimmed name; once only; names of 1 to 200 characters', async () => {
  spec.given().when({ type: 'CreateTenant', data: { tenantId: 't-1', name: '  Acme ', now: NOW } }).then(created);
  spec.given(created).when({ type: 'CreateTenant', data: { tenantId: 't-1', name: 'Acme', now: LATER } }).thenThrows('tenant_exists');
  spec.given().when({ type: 'CreateTenant', data: { tenantId: 't-1', name: '   ', now: NOW } }).thenThrows('invalid_name');
  spec.given().when({ type: 'CreateTenant', data: { tenantId: 't-1', name: 'x'.repeat(201), now: NOW } }).thenThrows('invalid_name');
  spec.given().when({ type: 'CreateTenant', data: { tenantId: 't-1', name: 'x'.repeat(200), now: NOW } }).then(tenantCreated({ tenantId: 't-1', name: 'x'.repeat(200), createdAt: NOW }));
});

t.test('IssueApiKey: only the hash is recorded; a blank name becomes "unnamed"; a missing tenant is not found', async () => {
  spec.given(created).when({ type: 'IssueApiKey', data: { ...key, now: NOW } }).then(issued);
  spec.given(created).when({ type: 'IssueApiKey', data: { ...key, name: ' ', now: NOW } }).then(apiKeyIssued({ ...key, name: 'unnamed', issuedAt: NOW }));
  spec.given().when({ type: 'IssueApiKey', data: { ...key, now: NOW } }).thenThrows('not_found');
});

t.test('RevokeApiKey: revokes a key once (a retried revoke changes nothing); unknown keys and tenants are not found', async () => {
  spec.given(created, issued).when({ type: 'RevokeApiKey', data: { tenantId: 't-1', keyId: 'k-1', now: NOW } }).then(revoked);
  spec.given(created, issued, revoked).when({ type: 'RevokeApiKey', data: { tenantId: 't-1', keyId: 'k-1', now: LATER } }).thenNothingHappened();
  spec.given(created).when({ type: 'RevokeApiKey', data: { tenantId: 't-1', keyId: 'k-2', now: NOW } }).thenThrows('not_found');
  spec.given().when({ type: 'RevokeApiKey', data: { tenantId: 't-1', keyId: 'k-1', now: NOW } }).thenThrows('not_found');
});

t.test('the state keeps each key with its revocation; events without a tenant are ignored', async (t) => {
  const state = [created, issued, revoked].reduce(tenantDecider.evolve, tenantDecider.initialState());
  t.same(state.status === 'active' ? state.keys.get('k-1') : null, { keyId: 'k-1', name: 'ci', salt: 's', keyHash: 'h', issuedAt: NOW, revokedAt: NOW });
  t.same([issued, revoked].reduce(tenantDecider.evolve, tenantDecider.initialState()), { status: 'absent' });
});

t.test('the refusal codes are listed', async (t) => {
  t.same([...tenantErrorCodes].sort(), ['invalid_name', 'tenant_exists']);
});
