/**
 * Advanced hunting: `POST /api/advancedqueries/run` (MDE) and `POST /api/advancedhunting/run`
 * (Defender XDR flavour, which adds `Stats`). Plain JSON responses, as MDE sends them.
 */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import type { HuntingService } from '../../../services/hunting.ts';
import type { ApiRoute } from '../../route-table.ts';

/** MDE's hunting quota: 45 calls per minute and 1,500 per hour per tenant. */
export const HUNTING_QUOTA = { perMinute: 45, perHour: 1500 };

const body = Type.Object({ Query: Type.String({ description: 'The KQL query' }) }, { additionalProperties: true });

function cpuSpan(ms: number): string {
  const s = ms / 1000;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${sec.toFixed(7).padStart(10, '0')}`;
}

/** The two hunting routes, bound to a HuntingService. */
export function huntingRoutes(hunting: HuntingService): ApiRoute[] {
  return [
    {
      method: 'POST', url: '/advancedqueries/run', auth: 'bearer', tag: 'Advanced hunting', permissions: REQUIRE.advancedQuery, quota: HUNTING_QUOTA,
      summary: 'Run an advanced hunting query (KQL) over the last 30 days of events',
      schema: { body },
      example: { body: { Query: 'DeviceInfo | take 1' } },
      handler: async (req, reply, ctx) => {
        const r = await hunting.run(ctx, (req.body as { Query: string }).Query);
        // the rows arrive as JSON text; the body is assembled around them rather than re-serialized
        return reply.type('application/json; charset=utf-8').send(`{"Schema":${JSON.stringify(r.schema)},"Results":${r.resultsJson}}`);
      },
    },
    {
      method: 'POST', url: '/advancedhunting/run', auth: 'bearer', tag: 'Advanced hunting', permissions: REQUIRE.advancedQuery, quota: HUNTING_QUOTA,
      summary: 'Run an advanced hunting query; the response adds execution statistics',
      schema: { body },
      example: { body: { Query: 'DeviceInfo | take 1' } },
      handler: async (req, reply, ctx) => {
        const r = await hunting.run(ctx, (req.body as { Query: string }).Query);
        const stats = {
          ExecutionTime: r.stats.executionTimeSeconds,
          resource_usage: { cpu: { 'total cpu': cpuSpan(r.stats.executionTimeSeconds * 1000) } },
          dataset_statistics: [{ table_row_count: r.stats.rowsReturned, rows_scanned: r.stats.rowsScanned }],
        };
        return reply.type('application/json; charset=utf-8')
          .send(`{"Stats":${JSON.stringify(stats)},"Schema":${JSON.stringify(r.schema)},"Results":${r.resultsJson}}`);
      },
    },
  ];
}
