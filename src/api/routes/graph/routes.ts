/**
 * Microsoft Graph's security API (the `graph` surface, served under `/v1.0/security` and
 * `/beta/security`), which SIEM and SOAR clients are moving to: `POST runHuntingQuery` answers
 * hunting in Graph's shape (lower-case `schema[].name/type` and `results`); `GET alerts_v2` and
 * `GET incidents` list the stored alerts and incidents in Graph's shape (entities/graph-security.ts)
 * with `$filter` (e.g. `lastUpdateDateTime ge …`), `$orderby`, `$top`, `$skip`, `$count` and
 * `Prefer: include-unknown-enum-members`; `value` is present on an empty page. Only tokens issued for
 * `https://graph.microsoft.com` pass (route-table.ts); the permissions are Graph's own names.
 */
import { Type } from '@sinclair/typebox';
import { PalisadeError } from '../../../domain/errors.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import type { HuntingService } from '../../../services/hunting.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ListQuery } from '../../../domain/list-query.ts';
import { GRAPH_ALERTS_SET, GRAPH_INCIDENTS_SET, graphAlertJson, graphIncidentJson, storedQuery } from '../../../entities/graph-security.ts';
import { parseListQuery } from '../../../odata/index.ts';
import type { SiemService } from '../../../services/siem.ts';
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

const listQuery = Type.Object({}, { additionalProperties: Type.String() });
const listAnswer = (description: string) => Type.Object({
  '@odata.context': Type.String(),
  '@odata.count': Type.Optional(Type.Integer()),
  value: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description }),
  '@odata.nextLink': Type.Optional(Type.String()),
});

/** Whether the client asked for Graph's late enum members (`Prefer: include-unknown-enum-members`). */
function includeUnknown(req: FastifyRequest, reply: FastifyReply): boolean {
  const on = /(^|[\s,;])include-unknown-enum-members($|[\s,;])/i.test(String(req.headers.prefer ?? ''));
  if (on) void reply.header('Preference-Applied', 'include-unknown-enum-members');
  return on;
}

/** A Graph collection page: context, count, value (present when empty), nextLink when the page is full and more may remain. */
function graphPage(req: FastifyRequest, reply: FastifyReply, set: string, items: unknown[], q: ListQuery, total?: number): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': `${graphMetadataUrl(req)}#${set}` };
  if (total !== undefined) body['@odata.count'] = total;
  body.value = items;
  if (items.length > 0 && items.length === q.top && (total === undefined || q.skip + items.length < total)) {
    const url = new URL(req.url, baseUrlOf(req));
    url.searchParams.set('$skip', String(q.skip + items.length));
    url.searchParams.set('$top', String(q.top));
    body['@odata.nextLink'] = url.toString();
  }
  void reply.header('OData-Version', '4.0').type(ODATA_CONTENT_TYPE);
  return body;
}

/** The Graph security routes, bound to their use cases. */
export function graphRoutes(deps: { hunting: HuntingService | null; siem: SiemService; metrics: ServerMetrics }): ApiRoute[] {
  const { hunting, metrics, siem } = deps;
  const routes: ApiRoute[] = [
    {
      method: 'GET', url: '/alerts_v2', auth: 'bearer', tag: 'Microsoft Graph security', permissions: REQUIRE.graphAlertRead,
      summary: 'List alerts in Graph\'s shape ($filter lastUpdateDateTime ge …, $orderby, $top ≤ 2,000, $skip, $count)',
      schema: { querystring: listQuery, response: { 200: listAnswer('Graph alerts (evidence typed by @odata.type)') } },
      example: { query: { $filter: 'lastUpdateDateTime ge 2024-01-01T00:00:00Z', $orderby: 'lastUpdateDateTime asc', $top: '10' } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, GRAPH_ALERTS_SET);
        const page = await siem.graphAlerts(ctx, storedQuery(q, GRAPH_ALERTS_SET));
        const links = { baseUrl: baseUrlOf(req) };
        const unknown = includeUnknown(req, reply);
        return graphPage(req, reply, 'security/alerts_v2', page.items.map((a) => graphAlertJson(a, links, unknown)), q, page.total);
      },
    },
    {
      method: 'GET', url: '/incidents', auth: 'bearer', tag: 'Microsoft Graph security', permissions: REQUIRE.graphIncidentRead,
      summary: 'List incidents in Graph\'s shape ($filter lastUpdateDateTime ge …, $orderby, $top ≤ 50, $skip, $count, $expand=alerts)',
      schema: { querystring: listQuery, response: { 200: listAnswer('Graph incidents') } },
      example: { query: { $filter: 'lastUpdateDateTime ge 2024-01-01T00:00:00Z', $top: '10' } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, GRAPH_INCIDENTS_SET);
        const expand = (q.expand ?? []).map((x) => x.toLowerCase());
        if (expand.some((x) => x !== 'alerts')) throw new PalisadeError('ODataError', `Only $expand=alerts is supported on incidents; got '${q.expand!.join(',')}'`);
        const { page, alerts } = await siem.graphIncidents(ctx, storedQuery(q, GRAPH_INCIDENTS_SET), expand.length > 0);
        const links = { baseUrl: baseUrlOf(req) };
        const unknown = includeUnknown(req, reply);
        const items = page.items.map((i) => graphIncidentJson(i, links, expand.length ? (alerts.get(i.incidentId) ?? []).map((a) => graphAlertJson(a, links, unknown)) : undefined));
        return graphPage(req, reply, 'security/incidents', items, q, page.total);
      },
    },
  ];
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
