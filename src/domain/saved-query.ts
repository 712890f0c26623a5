/**
 * Saved hunting queries: a person's own, and the ones shared with everyone in the tenant who hunts.
 * A query belongs to whoever saved it (a user, an app or an operator, by principal id); the owner
 * changes and deletes it, and so does a holder of portal settings for a shared one.
 */

/** A saved query as stored. */
export interface SavedQuery {
  tenantId: string;
  id: string;
  name: string;
  query: string;
  /** Shared with the tenant's hunters, or the owner's own. */
  shared: boolean;
  /** The principal id of whoever saved it, and their name as it was then. */
  ownerId: string;
  ownerName: string;
  createdAt: string;
  updatedAt: string;
}

/** Longest name. */
export const MAX_SAVED_QUERY_NAME = 200;
/** Longest query text (characters). */
export const MAX_SAVED_QUERY_TEXT = 100_000;
/** Most queries one principal owns in a tenant. */
export const MAX_SAVED_QUERIES_PER_OWNER = 500;

/** The key names are unique by, per owner: trimmed and lower-cased. */
export function savedQueryNameKey(name: string): string {
  return name.trim().toLowerCase();
}
