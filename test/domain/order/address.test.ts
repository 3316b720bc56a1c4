import t from 'tap';
import { LABEL_FIELDS, missingLabelFields } from '../../../src/domain/order/address.js';

const complete = { name: 'A Buyer', addressLines: ['1 Main St'], city: 'Bentonville', stateOrRegion: 'AR', postalCode: '72716', countryCode: 'US', phone: null };

t.test('a ship-to is complete with name, line 1, city, postal code (where the country has them) and country', async (t) => {
  t.same(missingLabelFields(complete), []);
  t.same(missingLabelFields(null), [...LABEL_FIELDS], 'withheld address: everything is missing');
  t.same(missingLabelFields({ ...complete, name: ' ', addressLines: [], city: null }), ['name', 'addressLine1', 'city']);
  t.same(missingLabelFields({ ...complete, postalCode: null }), ['postalCode'], 'the US has postal codes');
  t.same(missingLabelFields({ ...complete, postalCode: null, countryCode: 'ae' }), [], 'the UAE has none');
  t.same(missingLabelFields({ ...complete, postalCode: '', countryCode: null }), ['postalCode', 'countryCode'], 'no country: the postal code is needed too');
});
