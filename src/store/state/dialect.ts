/**
 * What a dialect adapter (sqlite/, postgres/) hands to the shared store: the only place where the
 * two engines differ. Shared code never asks which dialect it runs on.
 */
import type { Migration } from 'kysely';

/** Dialect-specific behaviour the shared repositories need. */
export interface StateDialect {
  /** 'sqlite' | 'postgres' — for logs only. */
  kind: string;
  /** The dialect's migrations, by name; names sort in application order. */
  migrations: Readonly<Record<string, Migration>>;
  /** True when `err` is the driver's unique/primary-key violation. */
  isUniqueViolation(err: unknown): boolean;
}
