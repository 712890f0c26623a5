/**
 * Saved hunting queries (Palisade's own; MDE keeps them in its portal): `/api/advancedqueries/saved`
 * lists the caller's own queries and the shared ones, saves, changes and deletes them. The same
 * permission as running a query; one's own queries are one's own, shared ones the team's.
 */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import { MAX_SAVED_QUERY_NAME, MAX_SAVED_QUERY_TEXT, type SavedQuery } from '../../../domain/saved-query.ts';
import type { SavedQueryService } from '../../../services/saved-queries.ts';
import { collection, entity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

/** The id the examples name; the permission matrix tests replace it with a query they saved. */
export const EXAMPLE_SAVED_QUERY_ID = '00000000-0000-4000-8000-0000000005a9';

const savedSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  query: Type.String(),
  shared: Type.Boolean({ description: "Shared with the tenant's hunters, or the owner's own" }),
  ownerName: Type.String({ description: 'Who saved it' }),
  mine: Type.Boolean({ description: 'The caller saved it' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const open = { additionalProperties: true } as const;
const savedBody = Type.Object({
  name: Type.String({ maxLength: MAX_SAVED_QUERY_NAME + 100, description: `1 to ${MAX_SAVED_QUERY_NAME} characters once trimmed; unique among your queries, in any case` }),
  query: Type.String({ maxLength: MAX_SAVED_QUERY_TEXT, description: 'The KQL text' }),
  shared: Type.Optional(Type.Boolean({ description: 'Share it with everyone who hunts in the tenant (default false: yours only)' })),
}, open);
const savedPatch = Type.Object({
  name: Type.Optional(savedBody.properties.name),
  query: Type.Optional(savedBody.properties.query),
  shared: Type.Optional(Type.Boolean()),
}, open);
const params = Type.Object({ queryId: Type.String({ maxLength: 64, description: 'Saved query id' }) });

/** The saved-query routes. */
export function savedQueryRoutes(s: SavedQueryService): ApiRoute[] {
  const common = { auth: 'bearer', tag: 'Advanced hunting', permissions: REQUIRE.advancedQuery } as const;
  const id = (p: unknown) => (p as { queryId: string }).queryId;
  return [
    {
      ...common, method: 'GET', url: '/advancedqueries/saved', summary: 'List your saved hunting queries and the shared ones, by name',
      schema: { response: { 200: Type.Object({ '@odata.context': Type.String(), value: Type.Array(savedSchema) }) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'SavedQueries', (await s.list(ctx)).map((q) => savedJson(q, ctx.principal.id))),
    },
    {
      ...common, method: 'POST', url: '/advancedqueries/saved', summary: 'Save a hunting query (yours, or shared with everyone who hunts)',
      schema: { body: savedBody, response: { 201: savedSchema } },
      example: { body: { name: 'Encoded PowerShell', query: 'DeviceProcessEvents | where ProcessCommandLine has "-enc" | take 100', shared: true } },
      handler: async (req, reply, ctx) => {
        const q = await s.create(ctx, req.body as Record<string, unknown>);
        void reply.code(201);
        return entity(req, reply, 'SavedQueries', savedJson(q, ctx.principal.id));
      },
    },
    {
      ...common, method: 'GET', url: '/advancedqueries/saved/:queryId', summary: 'One saved query (yours or a shared one)',
      schema: { params, response: { 200: savedSchema } },
      example: { params: { queryId: EXAMPLE_SAVED_QUERY_ID } },
      handler: async (req, reply, ctx) => entity(req, reply, 'SavedQueries', savedJson(await s.get(ctx, id(req.params)), ctx.principal.id)),
    },
    {
      ...common, method: 'PATCH', url: '/advancedqueries/saved/:queryId', summary: 'Rename, change, share or unshare a saved query (your own, or a shared one)',
      schema: { params, body: savedPatch, response: { 200: savedSchema } },
      example: { params: { queryId: EXAMPLE_SAVED_QUERY_ID }, body: { name: 'Encoded PowerShell, last 7 days', query: 'DeviceProcessEvents | where Timestamp > ago(7d) and ProcessCommandLine has "-enc"' } },
      handler: async (req, reply, ctx) => entity(req, reply, 'SavedQueries', savedJson(await s.update(ctx, id(req.params), req.body as Record<string, unknown>), ctx.principal.id)),
    },
    {
      ...common, method: 'DELETE', url: '/advancedqueries/saved/:queryId', summary: 'Delete a saved query (your own, or a shared one)',
      schema: { params, response: { 204: Type.Null() } },
      example: { params: { queryId: EXAMPLE_SAVED_QUERY_ID } },
      handler: async (req, reply, ctx) => {
        await s.delete(ctx, id(req.params));
        return reply.code(204).send();
      },
    },
  ];
}

/** A saved query as the API shows it: who saved it by name, never by principal id. */
function savedJson(q: SavedQuery, callerId: string): Record<string, unknown> {
  return { id: q.id, name: q.name, query: q.query, shared: q.shared, ownerName: q.ownerName, mine: q.ownerId === callerId, createdAt: q.createdAt, updatedAt: q.updatedAt };
}
