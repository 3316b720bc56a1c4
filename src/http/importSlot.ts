import type { FastifyReply } from 'fastify';
import type { ImportGate } from '../application/importGate.js';
import { HttpError } from './problem.js';

/**
 * Run an import inside a slot of the instance's import gate; when every slot is taken, answer 429
 * `imports_busy` with Retry-After (nothing read from the database, nothing written).
 */
export const withImportSlot = async <T>(gate: ImportGate, reply: FastifyReply, run: () => Promise<T>): Promise<T> => {
  const release = gate.tryAcquire();
  if (release === null) {
    void reply.header('retry-after', String(gate.retryAfterSeconds));
    throw new HttpError(429, 'imports_busy', `${gate.max} imports are running in this instance; retry in ${gate.retryAfterSeconds} s`);
  }
  try {
    return await run();
  } finally {
    release();
  }
};
