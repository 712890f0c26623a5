/** The MDE indicators API (reference §2.4): list, get, submit or update, import, delete, batch delete. */
import { Type } from '@sinclair/typebox';
import type { Indicator } from '../../../domain/indicator.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import { INDICATOR } from '../../../entities/indicator.ts';
import { parseListQuery } from '../../../odata/index.ts';
import type { IndicatorService } from '../../../services/indicators.ts';
import { entity, entityPage, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';
import type { Quota } from '../../throttle.ts';

/** MDE's quota of indicator imports: 30 per minute (and the default hourly bound). */
export const IMPORT_QUOTA: Quota = { perMinute: 30, perHour: 1500 };
/** MDE's quota of batch deletes: 30 per minute and 1,500 per hour. */
export const BATCH_DELETE_QUOTA: Quota = { perMinute: 30, perHour: 1500 };

const EXAMPLE_INDICATOR = {
  indicatorValue: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', indicatorType: 'FileSha1', action: 'Audit', title: 'Example', description: 'Example indicator', severity: 'Low',
};

/** A submitted body is checked by the use case (field by field, with MDE's codes), not by the schema. */
const anyBody = Type.Object({}, { additionalProperties: true });

const importResult = Type.Object({
  value: Type.Array(Type.Object({
    id: Type.Union([Type.String(), Type.Null()]),
    indicator: Type.String(),
    isFailed: Type.Boolean(),
    failureReason: Type.Union([Type.String(), Type.Null()]),
  })),
});

/** The indicators routes, bound to an IndicatorService. */
export function indicatorRoutes(indicators: IndicatorService, clock: () => Date = () => new Date()): ApiRoute[] {
  const ser = (i: Indicator) => INDICATOR.json(i, clock());
  return [
    {
      method: 'GET', url: '/indicators', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators,
      summary: 'List active indicators (OData $filter, $top ≤ 10,000, $skip, $count, $orderby, $select); Ti.ReadWrite sees its own',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: { 200: INDICATOR.schemas.collection } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, INDICATOR.set);
        return entityPage(req, reply, INDICATOR, q, await indicators.list(ctx, q), clock());
      },
    },
    {
      method: 'POST', url: '/indicators', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators,
      summary: 'Submit an indicator, or update the one with the same type and value',
      schema: { body: anyBody, response: { 200: INDICATOR.schemas.entity } },
      example: { body: EXAMPLE_INDICATOR },
      handler: async (req, reply, ctx) => entity(req, reply, INDICATOR.set.name, ser(await indicators.submit(ctx, req.body))),
    },
    {
      method: 'POST', url: '/indicators/import', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators, quota: IMPORT_QUOTA,
      summary: 'Submit or update up to 500 indicators; a result per item',
      schema: { body: anyBody, response: { 200: importResult } },
      example: { body: { Indicators: [{ ...EXAMPLE_INDICATOR, indicatorValue: '0000000000000000000000000000000000000001' }] } },
      handler: async (req, reply, ctx) => {
        const value = await indicators.importMany(ctx, req.body);
        void reply.header('OData-Version', '4.0');
        return { value };
      },
    },
    {
      method: 'GET', url: '/indicators/:indicatorId', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators,
      summary: 'Get an active indicator by id ($select; 404 when there is none)',
      schema: { params: Type.Object({ indicatorId: Type.String({ description: 'Indicator id (a number)' }) }), response: { 200: INDICATOR.schemas.entity } },
      example: { params: { indicatorId: '3' } },
      handler: async (req, reply, ctx) => selectedEntity(req, reply, INDICATOR, () => indicators.get(ctx, (req.params as { indicatorId: string }).indicatorId), clock),
    },
    {
      method: 'DELETE', url: '/indicators/:indicatorId', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators,
      summary: 'Delete an indicator (204; 404 when there is none)',
      schema: { params: Type.Object({ indicatorId: Type.String({ description: 'Indicator id (a number)' }) }) },
      example: { params: { indicatorId: '1' } },
      handler: async (req, reply, ctx) => {
        await indicators.delete(ctx, (req.params as { indicatorId: string }).indicatorId);
        return reply.status(204).send();
      },
    },
    {
      method: 'POST', url: '/indicators/BatchDelete', auth: 'bearer', tag: 'Indicators', permissions: REQUIRE.indicators, quota: BATCH_DELETE_QUOTA,
      summary: 'Delete 1–500 indicators, all or none (204)',
      schema: { body: anyBody },
      example: { body: { IndicatorIds: ['2'] } },
      handler: async (req, reply, ctx) => {
        await indicators.batchDelete(ctx, req.body);
        return reply.status(204).send();
      },
    },
  ];
}
