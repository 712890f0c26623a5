/**
 * The MDE investigation routes (reference §2.6 and §2.1's logonusers and findbyip): files, IP
 * addresses, domains and users as the organization's events show them, and the machines and alerts related to
 * each. The routes translate HTTP to InvestigationService calls and shape the answers
 * (src/entities/investigation.ts, src/entities/machine.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Device } from '../../../domain/device.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import { DOMAIN_STATS_VIEW, FILE_STATS_VIEW, FILE_VIEW, IP_STATS_VIEW, LOGON_USERS_VIEW } from '../../../entities/investigation.ts';
import { ALERT } from '../../../entities/alert.ts';
import { MACHINE } from '../../../entities/machine.ts';
import { lookBackHours, type InvestigationService } from '../../../services/investigation.ts';
import { collection, complexValue, entity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const SHA1 = '6532ec91d513acc05f43ee0aa3002599729fd3e1';
const anyQuery = Type.Object({}, { additionalProperties: Type.String() });
const statsQuery = Type.Object({
  lookBackHours: Type.Optional(Type.String({ description: 'Hours to look back, 1 to 720 (default 720: 30 days)' })),
}, { additionalProperties: Type.String() });
const param = (name: string, description: string) => Type.Object({ [name]: Type.String({ description }) });
const machines = { 200: MACHINE.schemas.collection };

/** The investigation routes, bound to an InvestigationService. */
export function investigationRoutes(investigation: InvestigationService, clock: () => Date = () => new Date()): ApiRoute[] {
  const machineList = (req: FastifyRequest, reply: FastifyReply, found: Device[]) => {
    const now = clock();
    return collection(req, reply, MACHINE.set.name, found.map((d) => MACHINE.json(d, now)));
  };
  const common = { method: 'GET', auth: 'bearer' } as const;
  const p = <T>(req: FastifyRequest) => req.params as T;
  const hours = (req: FastifyRequest) => lookBackHours((req.query as { lookBackHours?: string }).lookBackHours);
  type Kind = 'file' | 'ip' | 'domain' | 'user';
  const alertRoute = (url: string, tag: string, param: string, kind: Kind, description: string, example: string): ApiRoute => ({
    ...common, url, tag, permissions: REQUIRE.alertRead,
    summary: `Alerts whose evidence names the ${kind} (newest first; unknown: an empty list)`,
    schema: { params: Type.Object({ [param]: Type.String({ description }) }), querystring: anyQuery, response: { 200: ALERT.schemas.collection } },
    example: { params: { [param]: example } },
    handler: async (req, reply, ctx) => {
      const found = await investigation.relatedAlerts(ctx, kind, (req.params as Record<string, string>)[param]);
      const now = clock();
      return collection(req, reply, ALERT.set.name, found.map((a) => ALERT.json(a, now)));
    },
  });
  return [
    alertRoute('/files/:hash/alerts', 'Files', 'hash', 'file', 'SHA1 or SHA256', SHA1),
    alertRoute('/ips/:ip/alerts', 'IPs', 'ip', 'ip', 'IPv4 or IPv6 address', '192.168.1.1'),
    alertRoute('/domains/:domain/alerts', 'Domains', 'domain', 'domain', 'Domain name', 'example.com'),
    alertRoute('/users/:account/alerts', 'Users', 'account', 'user', 'Account name (not a UPN); domain\\name narrows to one domain', 'analyst'),
    {
      ...common, url: '/files/:hash', tag: 'Files', permissions: REQUIRE.fileRead,
      summary: 'Get a file (SHA1 or SHA256) as the organization\'s events describe it',
      schema: { params: param('hash', 'SHA1 or SHA256'), querystring: anyQuery, response: { 200: FILE_VIEW.schema } },
      example: { params: { hash: SHA1 } },
      handler: async (req, reply, ctx) => entity(req, reply, 'Files', FILE_VIEW.json(await investigation.file(ctx, p<{ hash: string }>(req).hash))),
    },
    {
      ...common, url: '/files/:hash/stats', tag: 'Files', permissions: REQUIRE.fileRead,
      summary: 'File statistics in the organization: prevalence, first and last seen, top file names',
      schema: { params: param('hash', 'SHA1 or SHA256'), querystring: statsQuery, response: { 200: FILE_STATS_VIEW.schema } },
      example: { params: { hash: SHA1 }, query: { lookBackHours: '48' } },
      handler: async (req, reply, ctx) =>
        complexValue(req, reply, FILE_STATS_VIEW.context, FILE_STATS_VIEW.json(await investigation.fileStats(ctx, p<{ hash: string }>(req).hash, hours(req)))),
    },
    {
      ...common, url: '/files/:hash/machines', tag: 'Files', permissions: REQUIRE.machineRead,
      summary: 'Machines where the file was seen',
      schema: { params: param('hash', 'SHA1 or SHA256'), querystring: anyQuery, response: machines },
      example: { params: { hash: SHA1 } },
      handler: async (req, reply, ctx) => machineList(req, reply, await investigation.fileMachines(ctx, p<{ hash: string }>(req).hash)),
    },
    {
      ...common, url: '/ips/:ip/stats', tag: 'IPs', permissions: REQUIRE.ipRead,
      summary: 'IP statistics in the organization: devices that communicated with it, first and last seen',
      schema: { params: param('ip', 'IPv4 or IPv6 address'), querystring: statsQuery, response: { 200: IP_STATS_VIEW.schema } },
      example: { params: { ip: '192.168.1.1' } },
      handler: async (req, reply, ctx) =>
        complexValue(req, reply, IP_STATS_VIEW.context, IP_STATS_VIEW.json(await investigation.ipStats(ctx, p<{ ip: string }>(req).ip, hours(req)))),
    },
    {
      ...common, url: '/ips/:ip/machines', tag: 'IPs', permissions: REQUIRE.machineRead,
      summary: 'Machines that communicated with the IP address',
      schema: { params: param('ip', 'IPv4 or IPv6 address'), querystring: anyQuery, response: machines },
      example: { params: { ip: '192.168.1.1' } },
      handler: async (req, reply, ctx) => machineList(req, reply, await investigation.ipMachines(ctx, p<{ ip: string }>(req).ip)),
    },
    {
      ...common, url: '/domains/:domain/stats', tag: 'Domains', permissions: REQUIRE.urlRead,
      summary: 'Domain statistics in the organization: devices that reached it or a subdomain',
      schema: { params: param('domain', 'Domain name'), querystring: statsQuery, response: { 200: DOMAIN_STATS_VIEW.schema } },
      example: { params: { domain: 'example.com' } },
      handler: async (req, reply, ctx) =>
        complexValue(req, reply, DOMAIN_STATS_VIEW.context, DOMAIN_STATS_VIEW.json(await investigation.domainStats(ctx, p<{ domain: string }>(req).domain, hours(req)))),
    },
    {
      ...common, url: '/domains/:domain/machines', tag: 'Domains', permissions: REQUIRE.machineRead,
      summary: 'Machines that reached the domain or a subdomain (at most 500)',
      schema: { params: param('domain', 'Domain name'), querystring: anyQuery, response: machines },
      example: { params: { domain: 'example.com' } },
      handler: async (req, reply, ctx) => machineList(req, reply, await investigation.domainMachines(ctx, p<{ domain: string }>(req).domain)),
    },
    {
      ...common, url: '/users/:account/machines', tag: 'Users', permissions: REQUIRE.machineRead,
      summary: 'Machines the user logged on to (id: the bare account name)',
      schema: { params: param('account', 'Account name (not a UPN); domain\\name narrows to one domain'), querystring: anyQuery, response: machines },
      example: { params: { account: 'analyst' } },
      handler: async (req, reply, ctx) => machineList(req, reply, await investigation.userMachines(ctx, p<{ account: string }>(req).account)),
    },
    {
      ...common, url: '/machines/:id/logonusers', tag: 'Machines', permissions: REQUIRE.userRead,
      summary: 'Users that logged on to the machine',
      schema: { params: param('id', 'Machine id or computer name'), querystring: anyQuery, response: { 200: LOGON_USERS_VIEW.schema } },
      example: { params: { id: '0000000000000000000000000000000000000000' } },
      handler: async (req, reply, ctx) =>
        collection(req, reply, LOGON_USERS_VIEW.context, (await investigation.logonUsers(ctx, p<{ id: string }>(req).id)).map(LOGON_USERS_VIEW.json)),
    },
    {
      ...common, url: '/machines/findbyip', tag: 'Machines', permissions: REQUIRE.machineRead,
      summary: "Machines that had an internal IP address within 15 minutes of a time (findbyip(ip='…',timestamp=…))",
      schema: {
        querystring: Type.Object({
          ip: Type.Optional(Type.String({ description: 'The internal IP address' })),
          timestamp: Type.Optional(Type.String({ description: 'ISO-8601 UTC time, at most 30 days ago' })),
        }, { additionalProperties: Type.String() }),
        response: machines,
      },
      example: { query: { ip: '10.0.0.5', timestamp: new Date(Date.now() - 3600_000).toISOString() } },
      handler: async (req, reply, ctx) => {
        const q = req.query as { ip?: string; timestamp?: string };
        return machineList(req, reply, await investigation.findByIp(ctx, q.ip, q.timestamp));
      },
    },
    {
      ...common, url: '/machines/find', tag: 'Machines', permissions: REQUIRE.machineRead,
      summary: "Machines that had an internal IP address near a time (find(timestamp=…,key='…'), the alternate form of findbyip)",
      schema: {
        querystring: Type.Object({
          key: Type.Optional(Type.String({ description: 'The internal IP address' })),
          timestamp: Type.Optional(Type.String({ description: 'ISO-8601 UTC time, at most 30 days ago' })),
        }, { additionalProperties: Type.String() }),
        response: machines,
      },
      example: { query: { key: '10.0.0.5', timestamp: new Date(Date.now() - 3600_000).toISOString() } },
      handler: async (req, reply, ctx) => {
        const q = req.query as { key?: string; timestamp?: string };
        return machineList(req, reply, await investigation.findByIp(ctx, q.key, q.timestamp));
      },
    },
  ];
}
