import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Embedded mode only: keys the operator did not configure are generated once into the data
 * directory (mode 0600) so that a newcomer's `npm start` works and restarts keep the same keys.
 * Returns whether the file was created, so the caller can warn. Never logs the key.
 */
export const loadOrCreateKeyFile = async (path: string, make: () => string): Promise<{ value: string; created: boolean }> => {
  try {
    return { value: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  const value = make();
  try {
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { value: (await readFile(path, 'utf8')).trim(), created: false };
    throw error;
  }
};

export const newMasterKey = () => randomBytes(32).toString('base64');
export const newAdminToken = () => randomBytes(24).toString('base64url');
