import { startAmazonSandbox, type AmazonSandbox, type AmazonSandboxOptions } from './amazon/server.js';
import { generateCatalog } from './catalog.js';
import { DEFAULT_SEED } from './shared/random.js';
import { startWalmartSandbox, type WalmartSandbox, type WalmartSandboxOptions } from './walmart/server.js';

export type SandboxesOptions = Readonly<{
  seed?: string | number;
  host?: string;
  now?: () => number | Date;
  amazon?: Omit<AmazonSandboxOptions, 'seed' | 'host' | 'now' | 'catalog'>;
  walmart?: Omit<WalmartSandboxOptions, 'seed' | 'host' | 'now' | 'catalog'>;
}>;

export type Sandboxes = Readonly<{ amazon: AmazonSandbox; walmart: WalmartSandbox; close: () => Promise<void> }>;

/** Both sandboxes from one seed and one catalog, so a seller's SKUs are the same on both marketplaces. */
export const startSandboxes = async (options: SandboxesOptions = {}): Promise<Sandboxes> => {
  const seed = options.seed ?? DEFAULT_SEED;
  const shared = {
    seed,
    catalog: generateCatalog({ seed }),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const amazon = await startAmazonSandbox({ ...options.amazon, ...shared });
  try {
    const walmart = await startWalmartSandbox({ ...options.walmart, ...shared });
    return { amazon, walmart, close: async () => void (await Promise.all([amazon.close(), walmart.close()])) };
  } catch (error) {
    await amazon.close();
    throw error;
  }
};
