import { createRandom } from './shared/random.js';

/** A seller's product as both marketplaces list it. Prices are in US cents; other currencies convert. */
export type CatalogItem = Readonly<{ sku: string; title: string; priceCents: number }>;

const BRANDS = [
  ['Northbeam', 'NB'], ['Hollow Pine', 'HP'], ['Copperleaf', 'CL'], ['Tidewell', 'TW'], ['Brightmoor', 'BM'],
] as const;
const PRODUCTS = [
  ['Ceramic Coffee Mug', 'MUG', 1499], ['Insulated Water Bottle', 'BTL', 2299], ['Bamboo Cutting Board', 'CUT', 2799],
  ['Cotton Bath Towel', 'TWL', 1899], ['LED Desk Lamp', 'LMP', 3499], ['Non-Slip Yoga Mat', 'YGA', 2999],
  ['Aluminum Phone Stand', 'PHS', 1299], ['Cast Iron Skillet', 'SKL', 3999], ['Knit Wool Beanie', 'BNE', 1599],
  ['Soy Wax Candle', 'CDL', 1699], ['Linen Pillow Cover', 'PLW', 1399], ['Brass Hose Nozzle', 'HSN', 1199],
  ['Rope Dog Toy', 'DOG', 999], ['Magnetic Kitchen Timer', 'TMR', 899], ['Dot Grid Notebook', 'NTB', 1099],
  ['Insulated Lunch Bag', 'LCH', 2199], ['Portable Bluetooth Speaker', 'SPK', 4999], ['Braided USB-C Cable', 'USB', 1099],
] as const;
const COLORS = [['Black', 'BLK'], ['White', 'WHT'], ['Navy', 'NVY'], ['Sage', 'SGE'], ['Coral', 'CRL'], ['Charcoal', 'CHR']] as const;
/** Multi-packs make the product's conversion factors (1 platform SKU = N warehouse units) show up in demos. */
const PACKS = [['', '', 1], ['2-Pack', '2PK', 2], ['4-Pack', '4PK', 4]] as const;

export type CatalogOptions = Readonly<{ seed: string | number; size?: number }>;

/** A deterministic catalog of distinct SKUs such as `NB-MUG-NVY-2PK`. */
export const generateCatalog = ({ seed, size = 40 }: CatalogOptions): CatalogItem[] => {
  const random = createRandom(`catalog/${seed}`);
  const maxSize = BRANDS.length * PRODUCTS.length * COLORS.length * PACKS.length;
  if (size < 1 || size > maxSize) throw new Error(`catalog size must be within 1..${maxSize}`);
  const items = new Map<string, CatalogItem>();
  while (items.size < size) {
    const [brand, brandCode] = random.pick(BRANDS);
    const [product, productCode, cents] = random.pick(PRODUCTS);
    const [color, colorCode] = random.pick(COLORS);
    const [pack, packCode, units] = random.weighted({ single: 6, two: 2, four: 1 }) === 'single'
      ? PACKS[0]
      : random.bool() ? PACKS[1] : PACKS[2];
    const sku = [brandCode, productCode, colorCode, packCode].filter(Boolean).join('-');
    if (items.has(sku)) continue;
    const priceCents = Math.round((cents * units * (units > 1 ? 0.9 : 1)) / 100) * 100 - 1;
    items.set(sku, { sku, title: `${brand} ${product}, ${color}${pack ? `, ${pack}` : ''}`, priceCents });
  }
  return [...items.values()];
};
