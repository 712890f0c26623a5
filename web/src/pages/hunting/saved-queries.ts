/**
 * Saved hunting queries, kept on the server (`/api/advancedqueries/saved`): the person's own and the
 * ones shared with everyone who hunts in the tenant. Queries an earlier console kept in this browser
 * (local storage) are moved to the server once, as the person's own, and then removed from it.
 */
import type { ApiClient } from '../../api/client.ts';

/** A saved query as the API gives it. */
export interface SavedQuery {
  id: string;
  name: string;
  query: string;
  /** Shared with the tenant's hunters, or the person's own. */
  shared: boolean;
  /** Who saved it. */
  ownerName: string;
  /** The signed-in person saved it. */
  mine: boolean;
  updatedAt: string;
}

/** The part of the Web Storage API the move from the browser uses (window.localStorage in the console). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  removeItem(key: string): void;
}

/** Longest name the server keeps. */
export const MAX_NAME_LENGTH = 200;

/** The API's answers the module reads and sends; ApiClient in the console. */
export type SavedQueryApi = Pick<ApiClient, 'request'>;

const PATH = '/api/advancedqueries/saved';

/** The person's own queries and the shared ones, by name. */
export async function listSavedQueries(api: SavedQueryApi): Promise<SavedQuery[]> {
  return (await api.request<{ value: SavedQuery[] }>('GET', PATH)).value;
}

/**
 * Saves `query` under `name` (trimmed): over the person's own query of that name (any case) or the
 * shared one being saved again, else as a new one; `shared` says where it goes. Throws the server's
 * error (an empty name, a name too long) as ApiError.
 */
export async function saveQuery(api: SavedQueryApi, known: readonly SavedQuery[], name: string, query: string, shared: boolean): Promise<SavedQuery> {
  const clean = name.trim();
  const same = known.find((q) => q.name.toLowerCase() === clean.toLowerCase() && (q.mine || q.shared === shared));
  if (same) return api.request<SavedQuery>('PATCH', `${PATH}/${encodeURIComponent(same.id)}`, { name: clean, query, shared });
  return api.request<SavedQuery>('POST', PATH, { name: clean, query, shared });
}

/** Deletes a saved query. */
export async function deleteSavedQuery(api: SavedQueryApi, id: string): Promise<void> {
  await api.request<unknown>('DELETE', `${PATH}/${encodeURIComponent(id)}`);
}

/** Where an earlier console kept a person's queries in this browser. */
export function browserQueriesKey(tenantId: string, userName: string): string {
  return `palisade.hunting.savedQueries.${tenantId}.${userName}`;
}

/**
 * Moves the queries an earlier console kept in this browser to the server (as the person's own; a
 * name already there is kept as it is on the server) and removes them from the browser once every
 * one was saved. Returns how many were moved.
 */
export async function moveBrowserQueries(api: SavedQueryApi, storage: KeyValueStorage, key: string, known: readonly SavedQuery[]): Promise<number> {
  const text = storage.getItem(key);
  if (text === null) return 0;
  let kept: unknown;
  try {
    kept = JSON.parse(text);
  } catch {
    kept = null;
  }
  if (!Array.isArray(kept)) {
    storage.removeItem(key); // nothing a console wrote: nothing to move
    return 0;
  }
  const taken = new Set(known.filter((q) => q.mine).map((q) => q.name.trim().toLowerCase()));
  let moved = 0;
  for (const q of kept as { name?: unknown; query?: unknown }[]) {
    if (typeof q?.name !== 'string' || typeof q.query !== 'string' || !q.name.trim() || !q.query.trim()) continue;
    const name = q.name.trim().slice(0, MAX_NAME_LENGTH);
    if (taken.has(name.toLowerCase())) continue;
    await api.request<SavedQuery>('POST', PATH, { name, query: q.query, shared: false });
    taken.add(name.toLowerCase());
    moved++;
  }
  storage.removeItem(key);
  return moved;
}
