/** Turns driver errors of writes into catalogue errors callers can act on. */
import { PalisadeError } from '../../domain/errors.ts';
import type { StateDialect } from './dialect.ts';

/**
 * Runs a write; a unique-key violation becomes a PalisadeError 'Conflict' naming `what`, every other
 * error propagates unchanged.
 */
export async function conflictAware<T>(dialect: StateDialect, what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (dialect.isUniqueViolation(err)) throw new PalisadeError('Conflict', `${what} already exists`, { cause: err });
    throw err;
  }
}
