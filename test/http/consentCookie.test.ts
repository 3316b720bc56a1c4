import t from 'tap';
import { bindingHashFrom, bindingHashOf, clearConsentBinding, newConsentBinding } from '../../src/http/consentCookie.js';

const state = '0f8e3c1a-1111-4222-8333-444455556666.abc';

t.test('a binding is a fresh random cookie per authorization; only its hash comes back', async (t) => {
  const a = newConsentBinding(state);
  const b = newConsentBinding(state);
  t.not(a.bindingHash, b.bindingHash, 'random each time');
  t.notOk(a.setCookie(false).includes('Secure'), 'plain HTTP: no Secure attribute');
  t.ok(b.setCookie(true).endsWith('; Secure'), 'HTTPS: Secure');
  const pair = a.setCookie(false).split(';')[0]!;
  t.equal(bindingHashFrom(`theme=dark; ${pair}; x=1`, state), a.bindingHash, 'found among other cookies');
  t.equal(bindingHashFrom(pair, state), bindingHashOf(pair.split('=')[1]!));
});

t.test('no cookie, an empty one, one of another authorization, or a malformed header: no binding', async (t) => {
  const pair = newConsentBinding(state).setCookie(false).split(';')[0]!;
  t.equal(bindingHashFrom(undefined, state), null);
  t.equal(bindingHashFrom('', state), null);
  t.equal(bindingHashFrom(`${pair.split('=')[0]}=`, state), null, 'emptied by the callback');
  t.equal(bindingHashFrom(pair, '9f8e3c1a-1111-4222-8333-444455556666.abc'), null, 'another authorization');
  t.equal(bindingHashFrom('garbage;=x; ;', state), null);
  t.match(clearConsentBinding(state, true), /^oms_consent_0f8e3c1a-1111-4222-8333-444455556666=; .*Max-Age=0.*; Secure$/);
});
