import t from 'tap';
import { accountClaimed, AccountClaimed, accountClaimStreamId, claimOwnerIn, legacyAccountClaimStreamId } from '../../../src/domain/authorization/accountClaim.js';

const DIGEST = 'a'.repeat(32) + 'b'.repeat(32);

t.test('the claim stream of an account: its digest, cut to 32 hex digits; the per-tenant stream of older versions apart', async (t) => {
  t.equal(accountClaimStreamId(DIGEST), `accountclaim-${'a'.repeat(32)}`);
  t.equal(legacyAccountClaimStreamId('t-1', DIGEST), `accountclaim-t-1.${'a'.repeat(32)}`);
  t.not(accountClaimStreamId(DIGEST), legacyAccountClaimStreamId('t-1', DIGEST));
});

t.test('the owner is the last claim; an unclaimed account has none', async (t) => {
  t.equal(claimOwnerIn([]), null);
  t.equal(claimOwnerIn([accountClaimed('auth-1'), accountClaimed('auth-2')]), 'auth-2');
});

t.test('a claim is an event of its own schema', async (t) => {
  t.strictSame(AccountClaimed.parse(accountClaimed('auth-1')), { type: 'AccountClaimed', schemaVersion: 1, data: { authorizationId: 'auth-1' } });
  t.throws(() => AccountClaimed.parse({ type: 'AccountClaimed', schemaVersion: 1, data: {} }), 'the authorization is required');
});
