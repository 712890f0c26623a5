/**
 * Saved hunting queries: whoever may hunt keeps their queries on the server, and may share one with
 * everyone in the tenant who hunts (MDE's "My queries" and "Shared queries"). Only its owner sees,
 * changes and deletes a query of their own; a shared one is the team's, as in MDE's portal: anyone
 * who hunts in the tenant may rename, change, unshare or delete it. Every change is audited with
 * who made it.
 */
import { randomUUID } from 'node:crypto';
import { authz } from '../auth/authorizer.ts';
import type { Ctx } from '../domain/context.ts';
import { errors } from '../domain/errors.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { SavedQueryPatch, StateStore } from '../domain/ports.ts';
import {
  MAX_SAVED_QUERIES_PER_OWNER, MAX_SAVED_QUERY_NAME, MAX_SAVED_QUERY_TEXT, type SavedQuery,
} from '../domain/saved-query.ts';
import { audited } from './audit.ts';

/** What saving a query takes (the API's body). */
export interface SavedQueryInput {
  name?: unknown;
  query?: unknown;
  shared?: unknown;
}

function checkName(v: unknown): string {
  const name = typeof v === 'string' ? v.trim() : '';
  if (!name || name.length > MAX_SAVED_QUERY_NAME || [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw errors.invalidBody(`A saved query needs a name of 1 to ${MAX_SAVED_QUERY_NAME} characters, without control characters`);
  }
  return name;
}

function checkQuery(v: unknown): string {
  if (typeof v !== 'string' || !v.trim() || v.length > MAX_SAVED_QUERY_TEXT) throw errors.invalidBody(`'query' must be a query of 1 to ${MAX_SAVED_QUERY_TEXT} characters`);
  return v;
}

function checkShared(v: unknown): boolean {
  if (typeof v !== 'boolean') throw errors.invalidBody("'shared' must be true or false");
  return v;
}

/** The saved queries of a tenant. */
export class SavedQueryService {
  constructor(private readonly store: StateStore, private readonly clock: () => Date = () => new Date()) {}

  /** The caller's own queries and the shared ones, by name. */
  async list(ctx: Ctx): Promise<SavedQuery[]> {
    authz.require(ctx, REQUIRE.advancedQuery);
    return this.store.savedQueries.listVisible(ctx.tenantId, ctx.principal.id);
  }

  /** One query the caller can see; 404 for one that is not there or is another's own. */
  async get(ctx: Ctx, id: string): Promise<SavedQuery> {
    authz.require(ctx, REQUIRE.advancedQuery);
    return this.visible(ctx, await this.store.savedQueries.get(ctx.tenantId, id), id);
  }

  /** Saves a new query, the caller's own unless `shared`; its name must be new among the caller's (any case). */
  async create(ctx: Ctx, input: SavedQueryInput): Promise<SavedQuery> {
    return audited(this.store, ctx, this.clock, 'savedQuery.create', String(input.name).slice(0, 256), async (r) => {
      authz.require(ctx, REQUIRE.advancedQuery);
      const now = this.clock().toISOString();
      const q: SavedQuery = {
        tenantId: ctx.tenantId, id: randomUUID(), name: checkName(input.name), query: checkQuery(input.query),
        shared: input.shared === undefined ? false : checkShared(input.shared),
        ownerId: ctx.principal.id, ownerName: ctx.principal.name, createdAt: now, updatedAt: now,
      };
      if (await r.savedQueries.countOwned(ctx.tenantId, ctx.principal.id) >= MAX_SAVED_QUERIES_PER_OWNER) {
        throw errors.badRequest(`You have ${MAX_SAVED_QUERIES_PER_OWNER} saved queries, the most one may keep; delete one first`);
      }
      await r.savedQueries.insert(q);
      return q;
    }, JSON.stringify({ name: input.name, shared: input.shared }).slice(0, 1000));
  }

  /** Changes the name, the text or whether it is shared: one's own query, or a shared one. */
  async update(ctx: Ctx, id: string, input: SavedQueryInput): Promise<SavedQuery> {
    return audited(this.store, ctx, this.clock, 'savedQuery.update', id.slice(0, 256), async (r) => {
      authz.require(ctx, REQUIRE.advancedQuery);
      const old = this.visible(ctx, await r.savedQueries.get(ctx.tenantId, id), id);
      const patch: SavedQueryPatch = { updatedAt: this.clock().toISOString() };
      if (input.name !== undefined) patch.name = checkName(input.name);
      if (input.query !== undefined) patch.query = checkQuery(input.query);
      if (input.shared !== undefined) patch.shared = checkShared(input.shared);
      return (await r.savedQueries.update(ctx.tenantId, old.id, patch))!;
    }, JSON.stringify({ name: input.name, shared: input.shared }).slice(0, 1000));
  }

  /** Deletes one's own query or a shared one. */
  async delete(ctx: Ctx, id: string): Promise<SavedQuery> {
    return audited(this.store, ctx, this.clock, 'savedQuery.delete', id.slice(0, 256), async (r) => {
      authz.require(ctx, REQUIRE.advancedQuery);
      const q = this.visible(ctx, await r.savedQueries.get(ctx.tenantId, id), id);
      await r.savedQueries.delete(ctx.tenantId, q.id);
      return q;
    });
  }

  private visible(ctx: Ctx, q: SavedQuery | null, id: string): SavedQuery {
    if (!q || (!q.shared && q.ownerId !== ctx.principal.id)) throw errors.notFound(`Saved query ${id} was not found`);
    return q;
  }
}
