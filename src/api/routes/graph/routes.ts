/**
 * Microsoft Graph's security API (the `graph` surface, served under `/v1.0/security` and
 * `/beta/security`), which SIEM and SOAR clients are moving to: `POST runHuntingQuery` answers
 * hunting in Graph's shape (lower-case `schema[].name/type` and `results`). Only tokens issued for
 * `https://graph.microsoft.com` pass (route-table.ts); the permissions are Graph's own names.
 */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import type { HuntingService } from '../../../services/hunting.ts';
import type { ServerMetrics } from '../../metrics.ts';
import { ODATA_CONTENT_TYPE, baseUrlOf } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';
import { HUNTING_QUOTA, runCounted } from '../hunting/routes.ts';

/** The prefixes of the graph surface. */
export const GRAPH_PREFIXES = ['/v1.0/security', '/beta/security'] as const;

/** Graph's metadata URL for the version the client called (`…/v1.0/$metadata` or `…/beta/$metadata`). */
export function graphMetadataUrl(req: { url: string; headers: { host?: string }; protocol: string; hostname: string }): string {
  return `${baseUrlOf(req as never)}/${/^\/beta\//i.test(req.url) ? 'beta' : 'v1.0'}/$metadata`;
}

const huntingBody = Type.Object({
  Query: Type.Optional(Type.String({ description: 'The KQL query (Graph also takes `query`)' })),
  query: Type.Optional(Type.String()),
  Timespan: Type.Optional(Type.String({ description: 'Accepted and ignored: the look-back is 30 days' })),
}, { additionalProperties: true });

const huntingAnswer = Type.Object({
  '@odata.context': Type.String(),
  schema: Type.Array(Type.Object({ name: Type.String(), type: Type.String({ description: '.NET type name: String, Int64, DateTime, …' }) })),
  results: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'One object per row, keyed by column name' }),
});

/** The Graph security routes, bound to their use cases. */
export function graphRoutes(deps: { hunting: HuntingService | null; metrics: ServerMetrics }): ApiRoute[] {
  const routes: ApiRoute[] = [];
  const { hunting, metrics } = deps;
  if (hunting) {
    routes.push({
      method: 'POST', url: '/runHuntingQuery', auth: 'bearer', tag: 'Microsoft Graph security', permissions: REQUIRE.graphHunting, quota: HUNTING_QUOTA,
      summary: 'Run an advanced hunting query (KQL); Graph answers lower-case schema and results',
      schema: { body: huntingBody, response: { 200: huntingAnswer } },
      example: { body: { Query: 'DeviceInfo | take 1' } },
      handler: async (req, reply, ctx) => {
        const body = req.body as { Query?: unknown; query?: unknown };
        const { result } = await runCounted(hunting, metrics, ctx, body.Query ?? body.query, REQUIRE.graphHunting);
        const schema = result.schema.map((c) => ({ name: c.Name, type: c.Type }));
        const context = `${graphMetadataUrl(req)}#microsoft.graph.security.huntingQueryResults`;
        return reply.header('OData-Version', '4.0').type(ODATA_CONTENT_TYPE)
          .send(`{"@odata.context":${JSON.stringify(context)},"schema":${JSON.stringify(schema)},"results":${result.resultsJson}}`);
      },
    });
  }
  return routes;
}
