/** Incidents (Microsoft 365 Defender's API, under /api): list, get, update. */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import { INCIDENT } from '../../../entities/incident.ts';
import { parseListQuery } from '../../../odata/index.ts';
import type { IncidentService } from '../../../services/incidents.ts';
import { entity, entityPage, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const idParams = Type.Object({ id: Type.String({ description: 'Incident id (a number)' }) });

/** The incidents routes, bound to an IncidentService. */
export function incidentRoutes(incidents: IncidentService, clock: () => Date = () => new Date()): ApiRoute[] {
  return [
    {
      method: 'GET', url: '/incidents', auth: 'bearer', tag: 'Incidents', permissions: REQUIRE.alertRead,
      summary: 'List incidents with their alerts (OData $filter, $orderby, $top ≤ 100, $skip, $count, $select)',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: { 200: INCIDENT.schemas.collection } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, INCIDENT.set);
        return entityPage(req, reply, INCIDENT, q, await incidents.list(ctx, q), clock());
      },
    },
    {
      method: 'GET', url: '/incidents/:id', auth: 'bearer', tag: 'Incidents', permissions: REQUIRE.alertRead,
      summary: 'Get an incident with its alerts ($select)',
      schema: { params: idParams, response: { 200: INCIDENT.schemas.entity } },
      example: { params: { id: '4242' } },
      handler: async (req, reply, ctx) => {
        return selectedEntity(req, reply, INCIDENT, () => incidents.get(ctx, (req.params as { id: string }).id), clock);
      },
    },
    {
      method: 'PATCH', url: '/incidents/:id', auth: 'bearer', tag: 'Incidents', permissions: REQUIRE.alertWrite,
      summary: 'Update an incident: status, assignedTo, classification, determination, tags, comment (resolving it resolves its alerts)',
      schema: {
        params: idParams,
        body: Type.Object({
          status: Type.Optional(Type.Unknown({ description: 'Active, InProgress or Resolved' })),
          assignedTo: Type.Optional(Type.Unknown()),
          classification: Type.Optional(Type.Unknown({ description: 'Unknown, TruePositive, InformationalExpectedActivity, FalsePositive' })),
          determination: Type.Optional(Type.Unknown({ description: 'NotAvailable or an alert determination' })),
          tags: Type.Optional(Type.Unknown({ description: 'The tag set (replaced)' })),
          comment: Type.Optional(Type.Unknown({ description: 'Appended to comments' })),
        }, { additionalProperties: true }),
        response: { 200: INCIDENT.schemas.entity },
      },
      example: { params: { id: '4242' }, body: { status: 'InProgress' } },
      handler: async (req, reply, ctx) => entity(req, reply, INCIDENT.set.name, INCIDENT.json(await incidents.update(ctx, (req.params as { id: string }).id, req.body), clock())),
    },
  ];
}
