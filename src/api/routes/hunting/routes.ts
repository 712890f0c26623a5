/**
 * Advanced hunting: `POST /api/advancedqueries/run` (MDE) and `POST /api/advancedhunting/run`
 * (Defender XDR). Both answer `{"Stats","Schema","Results"}` in plain JSON, as MDE's responses do,
 * and count each query (outcome, wall time, CPU) in the server's metrics.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../../domain/context.ts';
import { PalisadeError } from '../../../domain/errors.ts';
import { REQUIRE, type PermissionRequirement } from '../../../domain/permissions.ts';
import type { HuntingResult, HuntingService } from '../../../services/hunting.ts';
import type { ServerMetrics } from '../../metrics.ts';
import type { ApiRoute } from '../../route-table.ts';
import { huntingStats } from './hunting-stats.ts';

/** MDE's hunting quota: 45 calls per minute and 1,500 per hour per tenant. */
export const HUNTING_QUOTA = { perMinute: 45, perHour: 1500 };

const body = Type.Object({ Query: Type.String({ description: 'The KQL query' }) }, { additionalProperties: true });

const timeSpan = (description: string) => Type.String({ description: `${description}, as .NET TimeSpan text (\`00:00:00.0312500\`)` });
/** The answer, for the OpenAPI document (the handler sends the rows as JSON text it assembles). */
const answer = Type.Object({
  Stats: Type.Object({
    ExecutionTime: Type.Number({ description: 'Seconds the query took, compile and run' }),
    resource_usage: Type.Object({
      cache: Type.Object({ memory: Type.Null(), disk: Type.Null() }, { description: 'Always null: Palisade keeps no query cache' }),
      cpu: Type.Object({
        user: timeSpan('User CPU time of the server process while the query ran'),
        kernel: timeSpan('System CPU time of the server process while the query ran'),
        'total cpu': timeSpan('user + kernel'),
      }),
      memory: Type.Object({ peak_per_node: Type.Integer({ description: 'Peak resident memory of the server process, in bytes' }) }),
    }),
    dataset_statistics: Type.Array(Type.Object({
      table_row_count: Type.Integer({ description: 'Rows of the result' }),
      table_size: Type.Integer({ description: 'Bytes of `Results` as sent' }),
    })),
  }),
  Schema: Type.Array(Type.Object({ Name: Type.String(), Type: Type.String({ description: '.NET type name: String, Int64, Int32, Double, Boolean, DateTime, TimeSpan, Guid, Object, …' }) })),
  Results: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'One object per row, keyed by column name' }),
});

/**
 * Runs a hunting query counted in `metrics` (outcome, wall time, CPU), for every API that offers
 * hunting (MDE's two routes here, Graph's runHuntingQuery); gives the result and MDE's Stats.
 */
export async function runCounted(
  hunting: HuntingService, metrics: ServerMetrics, ctx: Ctx, query: unknown, required?: PermissionRequirement,
): Promise<{ result: HuntingResult; stats: ReturnType<typeof huntingStats> }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let outcome = 'ok';
  try {
    const result = await hunting.run(ctx, query, required);
    const cpu = process.cpuUsage(cpuBefore);
    const stats = huntingStats({
      seconds: (performance.now() - started) / 1000,
      cpu,
      rows: result.stats.rowsReturned,
      bytes: Buffer.byteLength(result.resultsJson),
      peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    });
    return { result, stats };
  } catch (e) {
    outcome = e instanceof PalisadeError ? e.code : 'InternalServerError';
    throw e;
  } finally {
    const cpu = process.cpuUsage(cpuBefore);
    metrics.observeHunting(outcome, (performance.now() - started) / 1000, (cpu.user + cpu.system) / 1e6);
  }
}

/** The two hunting routes, bound to a HuntingService; each query is counted in `metrics`. */
export function huntingRoutes(hunting: HuntingService, metrics: ServerMetrics): ApiRoute[] {
  const run = async (req: FastifyRequest, reply: FastifyReply, ctx: Ctx) => {
    const { result: r, stats } = await runCounted(hunting, metrics, ctx, (req.body as { Query: string }).Query);
    // the rows arrive as JSON text; the body is assembled around them rather than re-serialized
    return reply.type('application/json; charset=utf-8')
      .send(`{"Stats":${JSON.stringify(stats)},"Schema":${JSON.stringify(r.schema)},"Results":${r.resultsJson}}`);
  };
  const common = {
    auth: 'bearer', tag: 'Advanced hunting', permissions: REQUIRE.advancedQuery, quota: HUNTING_QUOTA,
    schema: { body, response: { 200: answer } }, example: { body: { Query: 'DeviceInfo | take 1' } }, handler: run,
  } as const;
  return [
    { ...common, method: 'POST', url: '/advancedqueries/run', summary: 'Run an advanced hunting query (KQL) over the last 30 days of events' },
    { ...common, method: 'POST', url: '/advancedhunting/run', summary: 'Run an advanced hunting query (Defender XDR path; same answer)' },
  ];
}
