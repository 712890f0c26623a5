/**
 * The results of machine actions as MDE hands them out: `GET /api/machineactions/{id}/getPackageUri`
 * (2 per minute, 120 per hour) and `GET /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=N)`
 * answer `{"@odata.context": …#Edm.String, "value": <link>}`, and the public surface serves the
 * link itself (`GET /downloads/actions/{tenant}/{action}/{index}?expires=…&signature=…`) without an
 * Authorization header.
 */
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PalisadeError } from '../../../domain/errors.ts';
import { PACKAGE_LINK_PERMISSIONS, RESULT_LINK_PERMISSIONS, type ActionResultService } from '../../../services/action-results.ts';
import { baseUrlOf, metadataUrlOf, ODATA_CONTENT_TYPE } from '../../odata-response.ts';
import type { ApiRoute, OpenRoute } from '../../route-table.ts';
import type { Quota } from '../../throttle.ts';

/** MDE's quota of getPackageUri: 2 per minute and 120 per hour. */
export const PACKAGE_URI_QUOTA: Quota = { perMinute: 2, perHour: 120 };

/** The example action ids of the link routes (the permission matrix creates actions under them with a result each). */
export const EXAMPLE_PACKAGE_ACTION_ID = '7f5a1c3e-0d5b-4b8e-9a43-2f1c0e9d6b11';
export const EXAMPLE_LIVE_RESPONSE_ACTION_ID = '7f5a1c3e-0d5b-4b8e-9a43-2f1c0e9d6b12';
const idParams = Type.Object({ id: Type.String({ maxLength: 100, description: 'Machine action id (a GUID)' }) });
const linkSchema = Type.Object({ '@odata.context': Type.String(), value: Type.String() });

/** `{"@odata.context": …#Edm.String, "value": link}`, as MDE answers a link. */
function linkValue(req: FastifyRequest, reply: FastifyReply, link: string): { '@odata.context': string; value: string } {
  void reply.header('OData-Version', '4.0').type(ODATA_CONTENT_TYPE);
  return { '@odata.context': `${metadataUrlOf(req)}#Edm.String`, value: link };
}

/** The two link routes of the api surface. */
export function resultLinkRoutes(results: ActionResultService): ApiRoute[] {
  return [
    {
      method: 'GET', url: '/machineactions/:id/getPackageUri', auth: 'bearer', tag: 'Machine actions', permissions: PACKAGE_LINK_PERMISSIONS, quota: PACKAGE_URI_QUOTA,
      summary: 'A link to the investigation package (a .tar.gz), valid 30 minutes without authorization; 404 until the collection Succeeded',
      schema: { params: idParams, response: { 200: linkSchema } },
      example: { params: { id: EXAMPLE_PACKAGE_ACTION_ID } },
      handler: async (req, reply, ctx) => linkValue(req, reply, await results.packageLink(ctx, (req.params as { id: string }).id, baseUrlOf(req))),
    },
    {
      method: 'GET', url: '/machineactions/:id/GetLiveResponseResultDownloadLink', auth: 'bearer', tag: 'Machine actions', permissions: RESULT_LINK_PERMISSIONS,
      summary: 'A link to the result of live response command `index` (GetFile: the file; RunScript: JSON script_name, exit_code, script_output, script_errors), valid 30 minutes without authorization',
      schema: { params: idParams, querystring: Type.Object({ index: Type.String({ pattern: '^\\d{1,4}$', description: 'The command index, as in GetLiveResponseResultDownloadLink(index=0)' }) }, { additionalProperties: true }) },
      example: { params: { id: EXAMPLE_LIVE_RESPONSE_ACTION_ID }, query: { index: '0' } },
      handler: async (req, reply, ctx) => {
        const index = Number((req.query as { index: string }).index);
        return linkValue(req, reply, await results.liveResponseLink(ctx, (req.params as { id: string }).id, index, baseUrlOf(req)));
      },
    },
  ];
}

/** The public route serving a signed link (403 for a tampered or expired one). */
export function resultDownloadRoute(results: ActionResultService): OpenRoute {
  return {
    method: 'GET', url: '/downloads/actions/:tenantId/:actionId/:index', auth: 'none',
    summary: 'An action result through its signed link (getPackageUri, GetLiveResponseResultDownloadLink); no Authorization header',
    schema: {
      params: Type.Object({ tenantId: Type.String({ maxLength: 64 }), actionId: Type.String({ maxLength: 64 }), index: Type.String({ maxLength: 8 }) }),
      querystring: Type.Object({ expires: Type.Optional(Type.String({ maxLength: 20 })), signature: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: true }),
    },
    handler: async (req, reply) => {
      const p = req.params as { tenantId: string; actionId: string; index: string };
      const q = req.query as { expires?: string; signature?: string };
      const r = await results.download(p.tenantId, p.actionId, p.index, q.expires, q.signature);
      void reply.type(r.contentType).header('content-length', String(r.size)).header('content-disposition', `attachment; filename="${r.fileName}"`).header('cache-control', 'no-store');
      return reply.send(Readable.from(r.content));
    },
  };
}

/** Reads the index path parameter of a result upload. */
export function resultIndexOf(text: string): number {
  if (!/^\d{1,4}$/.test(text)) throw new PalisadeError('BadRequest', `'${text.slice(0, 20)}' is not a result index (a command index, or 0 for an investigation package)`);
  return Number(text);
}
