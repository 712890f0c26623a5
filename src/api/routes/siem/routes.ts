/**
 * MDE's legacy SIEM detections API, `GET /api/siem/alerts` (reference §8): a bare JSON array of flat
 * detections (no OData envelope), for SIEM connectors that pull by time window.
 */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import { detectionJson } from '../../../entities/siem-detection.ts';
import type { DetectionParams, SiemService } from '../../../services/siem.ts';
import { baseUrlOf } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const query = Type.Object({
  sinceTimeUtc: Type.Optional(Type.String({ description: 'Lower bound on the last change (LastProcessedTimeUtc); default: 2 hours ago' })),
  untilTimeUtc: Type.Optional(Type.String({ description: 'Upper bound; default: now' })),
  ago: Type.Optional(Type.String({ description: 'ISO-8601 duration back from now (PT10M), instead of sinceTimeUtc' })),
  limit: Type.Optional(Type.String({ description: 'The most recent N detections (at most 10,000)' })),
  machinegroups: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Device group names (repeatable)' })),
  DeviceCreatedMachineTags: Type.Optional(Type.String()),
  CloudCreatedMachineTags: Type.Optional(Type.String({ description: 'Machine tags, comma-separated' })),
}, { additionalProperties: Type.Union([Type.String(), Type.Array(Type.String())]) });

/** The SIEM route, bound to a SiemService. */
export function siemRoutes(siem: SiemService): ApiRoute[] {
  return [{
    method: 'GET', url: '/siem/alerts', auth: 'bearer', tag: 'SIEM', permissions: REQUIRE.alertRead,
    summary: 'Pull detections changed in a time window (MDE\'s legacy SIEM API): a bare array of flat detections, oldest first',
    schema: { querystring: query, response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Detections (reference §8 fields)' }) } },
    example: { query: { ago: 'PT10M' } },
    handler: async (req, reply, ctx) => {
      const q = req.query as DetectionParams & { machinegroups?: string | string[] };
      const groups = q.machinegroups === undefined ? [] : [q.machinegroups].flat();
      const found = await siem.detections(ctx, { ...q, machinegroups: groups });
      const base = baseUrlOf(req);
      return reply.type('application/json; charset=utf-8').send(found.map((d) => detectionJson(d, base)));
    },
  }];
}
