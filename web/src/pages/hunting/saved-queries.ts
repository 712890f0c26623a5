/**
 * Saved hunting queries, kept per browser: in the browser's local storage under a key naming the
 * tenant and the signed-in user, so two people sharing a browser profile do not see each other's.
 */

/** A saved query. */
export interface SavedQuery {
  id: string;
  name: string;
  query: string;
  /** ISO-8601 time it was last saved. */
  savedAt: string;
}

/** The part of the Web Storage API the store uses (window.localStorage in the console). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Most queries kept per user; saving one more drops the oldest. */
export const MAX_SAVED_QUERIES = 200;
/** Longest name kept. */
export const MAX_NAME_LENGTH = 200;

/** The storage key of a user's saved queries in a tenant. */
export function savedQueriesKey(tenantId: string, userId: string): string {
  return `palisade.hunting.savedQueries.${tenantId}.${userId}`;
}

function isSaved(v: unknown): v is SavedQuery {
  const q = v as SavedQuery;
  return !!q && typeof q.id === 'string' && typeof q.name === 'string' && typeof q.query === 'string' && typeof q.savedAt === 'string';
}

/** A user's saved queries in one tenant, newest first, kept in `storage`. */
export class SavedQueries {
  constructor(private readonly storage: KeyValueStorage, private readonly key: string) {}

  /** Every saved query, newest first; what cannot be read as saved queries is ignored. */
  list(): SavedQuery[] {
    try {
      const v: unknown = JSON.parse(this.storage.getItem(this.key) ?? '[]');
      return Array.isArray(v) ? v.filter(isSaved) : [];
    } catch {
      return [];
    }
  }

  /**
   * Saves `query` under `name` (trimmed; the same name, ignoring case, replaces the earlier query)
   * and returns it. Throws when the name is empty.
   */
  save(name: string, query: string, now: Date = new Date()): SavedQuery {
    const clean = name.trim().slice(0, MAX_NAME_LENGTH);
    if (!clean) throw new Error('A saved query needs a name');
    const rest = this.list();
    const same = rest.find((q) => q.name.toLowerCase() === clean.toLowerCase());
    const saved: SavedQuery = { id: same?.id ?? newId(), name: clean, query, savedAt: now.toISOString() };
    this.write([saved, ...rest.filter((q) => q !== same)].slice(0, MAX_SAVED_QUERIES));
    return saved;
  }

  /** Deletes the saved query with this id (nothing when there is none). */
  remove(id: string): void {
    this.write(this.list().filter((q) => q.id !== id));
  }

  private write(queries: SavedQuery[]): void {
    this.storage.setItem(this.key, JSON.stringify(queries));
  }
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}
