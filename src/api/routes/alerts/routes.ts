/**
 * The MDE alerts API: list (OData, `$expand=evidence`), get, update, batch update, create by
 * reference, a machine's alerts, and an alert's related domains, files, IPs, machine and user.
 */
import { Type, type TArray, type TObject } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Alert } from '../../../domain/alert.ts';
import type { Ctx } from '../../../domain/context.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import type { ListQuery } from '../../../domain/list-query.ts';
import { ALERT } from '../../../entities/alert.ts';
import { FILE_VIEW, LOGON_USERS_VIEW } from '../../../entities/investigation.ts';
import { MACHINE } from '../../../entities/machine.ts';
import { parseListQuery } from '../../../odata/index.ts';
import { RELATED_PERMISSIONS, type AlertService } from '../../../services/alerts.ts';
import { collection, entity, entityPage, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const one = { 200: ALERT.schemas.entity };
const many = { 200: ALERT.schemas.collection };

const EXAMPLE_ID = 'da639319824001230000_1';
const EXAMPLE_MACHINE = '0000000000000000000000000000000000000000';
const idParams = Type.Object({ id: Type.String({ description: 'Alert id (da…)' }) });
const anyQuery = Type.Object({}, { additionalProperties: Type.String() });

/** The fields PATCH and batchUpdate take; both capitalisations (reference §2.3). Checked by the use case. */
const updateFields = {
  status: Type.Optional(Type.Unknown({ description: 'New, InProgress or Resolved' })),
  assignedTo: Type.Optional(Type.Unknown({ description: 'Owner of the alert (null to unassign)' })),
  classification: Type.Optional(Type.Unknown({ description: 'TruePositive, InformationalExpectedActivity, FalsePositive (null to clear)' })),
  determination: Type.Optional(Type.Unknown({ description: 'e.g. Malware, SecurityTesting, NotMalicious or Clean, ConfirmedActivity or ConfirmedUserActivity, Other' })),
  comment: Type.Optional(Type.Unknown({ description: 'Appended to comments' })),
};

const domainsSchema = Type.Object({ '@odata.context': Type.String(), value: Type.Array(Type.Object({ host: Type.String() })) });
const ipsSchema = Type.Object({ '@odata.context': Type.String(), value: Type.Array(Type.Object({ id: Type.String() })) });
const fileItem = Type.Omit(FILE_VIEW.schema as TObject, ['@odata.context']);
const filesSchema = Type.Object({ '@odata.context': Type.String(), value: Type.Array(fileItem) });
const userItem = ((LOGON_USERS_VIEW.schema as TObject).properties.value as TArray).items;
const userSchema = Type.Composite([Type.Object({ '@odata.context': Type.String() }), userItem as TObject]);

/** The host of a URL or bare domain in evidence; null when it has none. */
function hostOf(url: string): string | null {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).hostname || null;
  } catch {
    return null;
  }
}

/** The distinct values of `pick` over an alert's evidence, in order. */
function distinct(a: Alert, pick: (e: Alert['evidence'][number]) => string | null): string[] {
  return [...new Set(a.evidence.map(pick).filter((x): x is string => !!x))];
}

/** The alerts routes, bound to an AlertService. */
export function alertRoutes(alerts: AlertService, clock: () => Date = () => new Date()): ApiRoute[] {
  /** A page of alerts as the list routes answer it ($select, $expand=evidence). */
  const page = async (req: FastifyRequest, reply: FastifyReply, ctx: Ctx, list: (q: ListQuery) => Promise<{ items: Alert[]; total?: number }>) => {
    const q = parseListQuery(req.query as Record<string, string>, ALERT.set);
    const expansion = ALERT.expansion(q.expand);
    return entityPage(req, reply, ALERT, q, await list(q), clock(), expansion);
  };
  const full = ALERT.expansion(['evidence']);
  const ser = (a: Alert) => ALERT.json(a, clock(), null, full);
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;

  return [
    {
      method: 'GET', url: '/alerts', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertRead,
      summary: 'List alerts (OData $filter, $orderby, $top ≤ 10,000, $skip, $count, $select, $expand=evidence)',
      schema: { querystring: anyQuery, response: many },
      handler: (req, reply, ctx) => page(req, reply, ctx, (q) => alerts.list(ctx, q)),
    },
    {
      method: 'GET', url: '/machines/:id/alerts', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertRead,
      summary: "List a machine's alerts (machine id or computer name; OData as GET /alerts)",
      schema: { params: Type.Object({ id: Type.String() }), querystring: anyQuery, response: many },
      example: { params: { id: EXAMPLE_MACHINE } },
      handler: (req, reply, ctx) => page(req, reply, ctx, (q) => alerts.list(ctx, q, id(req))),
    },
    {
      method: 'GET', url: '/alerts/:id', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertRead,
      summary: 'Get an alert with its evidence ($select)',
      schema: { params: idParams, response: one },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        return selectedEntity(req, reply, ALERT, () => alerts.get(ctx, id(req)), clock, full);
      },
    },
    {
      method: 'PATCH', url: '/alerts/:id', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertWrite,
      summary: 'Update an alert: status, assignedTo, classification, determination, comment (camelCase or PascalCase keys)',
      schema: { params: idParams, body: Type.Object(updateFields, { additionalProperties: true }), response: one },
      example: { params: { id: EXAMPLE_ID }, body: { status: 'InProgress' } },
      handler: async (req, reply, ctx) => entity(req, reply, ALERT.set.name, ser(await alerts.update(ctx, id(req), req.body))),
    },
    {
      method: 'POST', url: '/alerts/batchUpdate', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertWrite,
      summary: 'Update up to 500 alerts at once (all or none)', quota: { perMinute: 10, perHour: 500 },
      schema: { body: Type.Object({ alertIds: Type.Optional(Type.Unknown()), ...updateFields }, { additionalProperties: true }) },
      example: { body: { alertIds: [EXAMPLE_ID], status: 'Resolved' } },
      handler: async (req, reply, ctx) => {
        await alerts.batchUpdate(ctx, req.body);
        return reply.code(200).send();
      },
    },
    {
      method: 'POST', url: '/alerts/CreateAlertByReference', auth: 'bearer', tag: 'Alerts', permissions: REQUIRE.alertWrite,
      summary: 'Create an alert on an event found by its exact Timestamp, ReportId and machine', quota: { perMinute: 15, perHour: 900 },
      schema: {
        body: Type.Object({
          eventTime: Type.Optional(Type.Unknown()), reportId: Type.Optional(Type.Unknown()), machineId: Type.Optional(Type.Unknown()),
          severity: Type.Optional(Type.Unknown()), title: Type.Optional(Type.Unknown()), description: Type.Optional(Type.Unknown()),
          recommendedAction: Type.Optional(Type.Unknown()), category: Type.Optional(Type.Unknown()),
        }, { additionalProperties: true }),
        response: { 200: ALERT.schemas.item },
      },
      example: {
        body: {
          eventTime: '2026-12-01T10:00:00Z', reportId: 1, machineId: EXAMPLE_MACHINE, severity: 'Low', title: 'Example',
          description: 'Example', recommendedAction: 'None', category: 'General',
        },
      },
      handler: async (req, reply, ctx) => entity(req, reply, ALERT.set.name, ser(await alerts.createByReference(ctx, req.body))),
    },
    {
      method: 'GET', url: '/alerts/:id/domains', auth: 'bearer', tag: 'Alerts', permissions: RELATED_PERMISSIONS.domains,
      summary: "An alert's domains (hosts of its URL evidence)",
      schema: { params: idParams, response: { 200: domainsSchema } },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        const a = await alerts.related(ctx, id(req), 'domains');
        return collection(req, reply, 'Domains', distinct(a, (e) => (e.url ? hostOf(e.url) : null)).map((host) => ({ host })));
      },
    },
    {
      method: 'GET', url: '/alerts/:id/files', auth: 'bearer', tag: 'Alerts', permissions: RELATED_PERMISSIONS.files,
      summary: "An alert's files (its file and process evidence)",
      schema: { params: idParams, response: { 200: filesSchema } },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        const files = (await alerts.filesOf(ctx, id(req))).map((f) => FILE_VIEW.json(f));
        return collection(req, reply, 'Files', files);
      },
    },
    {
      method: 'GET', url: '/alerts/:id/ips', auth: 'bearer', tag: 'Alerts', permissions: RELATED_PERMISSIONS.ips,
      summary: "An alert's IP addresses (its IP evidence)",
      schema: { params: idParams, response: { 200: ipsSchema } },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        const a = await alerts.related(ctx, id(req), 'ips');
        return collection(req, reply, 'Ips', distinct(a, (e) => e.ipAddress).map((ip) => ({ id: ip })));
      },
    },
    {
      method: 'GET', url: '/alerts/:id/machine', auth: 'bearer', tag: 'Alerts', permissions: RELATED_PERMISSIONS.machine,
      summary: "An alert's machine",
      schema: { params: idParams, response: { 200: MACHINE.schemas.entity } },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => entity(req, reply, MACHINE.set.name, MACHINE.json(await alerts.machineOf(ctx, id(req)), clock())),
    },
    {
      method: 'GET', url: '/alerts/:id/user', auth: 'bearer', tag: 'Alerts', permissions: RELATED_PERMISSIONS.user,
      summary: "An alert's user",
      schema: { params: idParams, response: { 200: userSchema } },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        return entity(req, reply, 'Users', LOGON_USERS_VIEW.json(await alerts.userOf(ctx, id(req))));
      },
    },
  ];
}
