import type { ShipTo } from './platformOrder.js';

/**
 * Countries without postal codes (ISO 3166 alpha-2): an address there is complete without one.
 * The list follows the UPU's list of countries that have no postcode system in use.
 */
const NO_POSTAL_CODE = new Set([
  'AE', 'AG', 'AO', 'AW', 'BF', 'BI', 'BJ', 'BO', 'BS', 'BW', 'BZ', 'CD', 'CF', 'CG', 'CI', 'CK', 'CM', 'DJ', 'DM', 'ER', 'FJ', 'GA',
  'GD', 'GH', 'GM', 'GQ', 'GY', 'HK', 'JM', 'KI', 'KM', 'KN', 'KP', 'LC', 'ML', 'MO', 'MR', 'MW', 'NR', 'NU', 'QA', 'RW', 'SB', 'SC',
  'SL', 'SR', 'ST', 'SY', 'TD', 'TF', 'TG', 'TK', 'TL', 'TO', 'TT', 'TV', 'UG', 'VU', 'YE', 'ZW',
]);

/** What a shipping label needs, in the order an operator reads it. */
export const LABEL_FIELDS = ['name', 'addressLine1', 'city', 'postalCode', 'countryCode'] as const;
export type LabelField = (typeof LABEL_FIELDS)[number];

/**
 * The label fields a ship-to lacks (none: it can be labelled). No ship-to at all — Amazon withholds
 * the address without the Direct-to-Consumer Delivery role, or before it releases it — lacks all of them.
 */
export const missingLabelFields = (shipTo: ShipTo | null): LabelField[] => {
  if (shipTo === null) return [...LABEL_FIELDS];
  const blank = (value: string | null | undefined) => value === null || value === undefined || value.trim() === '';
  const country = shipTo.countryCode?.trim().toUpperCase() ?? '';
  const missing: Record<LabelField, boolean> = {
    name: blank(shipTo.name),
    addressLine1: blank(shipTo.addressLines[0]),
    city: blank(shipTo.city),
    postalCode: blank(shipTo.postalCode) && !NO_POSTAL_CODE.has(country),
    countryCode: country === '',
  };
  return LABEL_FIELDS.filter((field) => missing[field]);
};
