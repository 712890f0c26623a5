/**
 * The MDE machine actions API (reference §2.2): one POST per kind of action on a machine (201 and
 * the action, Pending), the actions list and one action, cancel, a machine's actions and what can
 * be asked of it. Bodies are read by the use case (MDE's PascalCase keys and error codes), not by
 * the schema. A GET on an action route is answered 405 with `Allow: POST` by unrouted.ts.
 */
import { Type } from '@sinclair/typebox';
import type { MachineAction, MachineActionType } from '../../../domain/machine-action.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import { MACHINE_ACTION } from '../../../entities/machine-action.ts';
import { parseListQuery } from '../../../odata/index.ts';
import { ACTION_PERMISSIONS, type MachineActionService } from '../../../services/machine-actions.ts';
import { collection, entity, entityPage, projected, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';
import type { Quota } from '../../throttle.ts';

/** MDE's quota of live response requests: 10 per minute (and the default hourly bound). */
export const LIVE_RESPONSE_QUOTA: Quota = { perMinute: 10, perHour: 1500 };

const EXAMPLE_MACHINE = '0000000000000000000000000000000000000000';
/** The example action id of the routes that read or cancel one (the permission matrix creates an action under it). */
export const EXAMPLE_ACTION_ID = '7c1d2b6e-0000-4000-8000-00000000ac71';
const machineParams = Type.Object({ id: Type.String({ description: 'Machine id (40 hex characters) or computer name' }) });
const actionParams = Type.Object({ id: Type.String({ description: 'Machine action id (a GUID)' }) });
/** Action bodies are read by the use case, field by field, with MDE's codes. */
const anyBody = Type.Object({}, { additionalProperties: true });
const anyQuery = Type.Object({}, { additionalProperties: Type.String() });

const AVAILABILITY_CONTEXT = 'Collection(microsoft.windowsDefenderATP.api.ActionAvailabilityStatus)';
const MACHINE_HISTORY_CONTEXT = 'Collection(microsoft.windowsDefenderATP.api.MachineAction)';

/** Each action route: its path segment, kind, summary and an example body. */
const ACTION_ROUTES: readonly { path: string; type: MachineActionType; summary: string; body: Record<string, unknown> }[] = [
  { path: 'isolate', type: 'Isolate', summary: 'Isolate a machine from the network (IsolationType Full or Selective)', body: { Comment: 'Isolate for investigation', IsolationType: 'Full' } },
  { path: 'unisolate', type: 'Unisolate', summary: 'Release a machine from isolation', body: { Comment: 'Release' } },
  { path: 'restrictCodeExecution', type: 'RestrictCodeExecution', summary: 'Restrict code execution to what was allowed when it starts', body: { Comment: 'Restrict' } },
  { path: 'unrestrictCodeExecution', type: 'UnrestrictCodeExecution', summary: 'Lift the code execution restriction', body: { Comment: 'Unrestrict' } },
  { path: 'runAntiVirusScan', type: 'RunAntiVirusScan', summary: 'Run an antivirus scan (ScanType Quick or Full)', body: { Comment: 'Scan', ScanType: 'Quick' } },
  { path: 'collectInvestigationPackage', type: 'CollectInvestigationPackage', summary: 'Collect an investigation package (a tar.gz; see getPackageUri)', body: { Comment: 'Collect' } },
  { path: 'StopAndQuarantineFile', type: 'StopAndQuarantineFile', summary: 'Stop the processes of a file (Sha1) and quarantine it', body: { Comment: 'Quarantine', Sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' } },
  { path: 'offboard', type: 'Offboard', summary: 'Offboard a machine: its sensor stops and its credential is revoked', body: { Comment: 'Offboard' } },
  {
    path: 'runliveresponse', type: 'LiveResponse', summary: 'Run live response commands (PutFile, RunScript, GetFile) in order',
    body: { Comment: 'Live response', Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: '/etc/hostname' }] }] },
  },
];

/** The machine actions routes, bound to a MachineActionService. */
export function machineActionRoutes(actions: MachineActionService, clock: () => Date = () => new Date()): ApiRoute[] {
  const ser = (a: MachineAction) => MACHINE_ACTION.json(a, clock());
  return [
    ...ACTION_ROUTES.map((r): ApiRoute => ({
      method: 'POST', url: `/machines/:id/${r.path}`, auth: 'bearer', tag: 'Machine actions', permissions: ACTION_PERMISSIONS[r.type],
      ...(r.type === 'LiveResponse' ? { quota: LIVE_RESPONSE_QUOTA } : {}),
      summary: `${r.summary}; 201 and the action, Pending (400 ActiveRequestAlreadyExists while one of the kind is open)`,
      schema: { params: machineParams, body: anyBody, response: { 201: MACHINE_ACTION.schemas.entity } },
      example: { params: { id: EXAMPLE_MACHINE }, body: r.body },
      handler: async (req, reply, ctx) => {
        const a = await actions.request(ctx, (req.params as { id: string }).id, r.type, req.body);
        void reply.status(201);
        return entity(req, reply, MACHINE_ACTION.set.name, ser(a));
      },
    })),
    {
      method: 'GET', url: '/machineactions', auth: 'bearer', tag: 'Machine actions', permissions: REQUIRE.machineRead,
      summary: 'List machine actions (OData $filter incl. id in (…) and lastUpdateDateTimeUtc gt, $top ≤ 10,000, $skip, $count, $orderby, $select)',
      schema: { querystring: anyQuery, response: { 200: MACHINE_ACTION.schemas.collection } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, MACHINE_ACTION.set);
        return entityPage(req, reply, MACHINE_ACTION, q, await actions.list(ctx, q), clock());
      },
    },
    {
      method: 'GET', url: '/machineactions/:id', auth: 'bearer', tag: 'Machine actions', permissions: REQUIRE.machineRead,
      summary: 'Get a machine action ($select; 400 for an id that is not a GUID, 404 when there is none)',
      schema: { params: actionParams, response: { 200: MACHINE_ACTION.schemas.entity } },
      example: { params: { id: EXAMPLE_ACTION_ID } },
      handler: async (req, reply, ctx) => selectedEntity(req, reply, MACHINE_ACTION, () => actions.get(ctx, (req.params as { id: string }).id), clock),
    },
    {
      method: 'POST', url: '/machineactions/:id/cancel', auth: 'bearer', tag: 'Machine actions', permissions: REQUIRE.anyMachineAction,
      summary: 'Cancel a Pending or InProgress machine action (Comment)',
      schema: { params: actionParams, body: anyBody, response: { 200: MACHINE_ACTION.schemas.entity } },
      example: { params: { id: EXAMPLE_ACTION_ID }, body: { Comment: 'Not needed' } },
      handler: async (req, reply, ctx) => entity(req, reply, MACHINE_ACTION.set.name, ser(await actions.cancel(ctx, (req.params as { id: string }).id, req.body))),
    },
    {
      method: 'GET', url: '/machines/:id/machineactions', auth: 'bearer', tag: 'Machine actions', permissions: REQUIRE.machineRead,
      summary: "A machine's actions (OData as for /machineactions, $select included; 404 for an unknown machine)",
      schema: { params: machineParams, querystring: anyQuery, response: { 200: MACHINE_ACTION.schemas.collection } },
      example: { params: { id: EXAMPLE_MACHINE } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, MACHINE_ACTION.set);
        const selection = MACHINE_ACTION.selection(q.select);
        const page = await actions.listForMachine(ctx, (req.params as { id: string }).id, q);
        if (selection) projected(reply);
        const now = clock();
        return collection(req, reply, MACHINE_HISTORY_CONTEXT, page.items.map((a) => MACHINE_ACTION.json(a, now, selection)), q, page.total);
      },
    },
    {
      method: 'GET', url: '/machines/:id/availableMachineActions', auth: 'bearer', tag: 'Machine actions', permissions: REQUIRE.machineRead,
      summary: 'The response actions that can be asked of a machine now',
      schema: {
        params: machineParams,
        response: { 200: Type.Object({ '@odata.context': Type.String(), value: Type.Array(Type.Object({ action: Type.String(), isAvailable: Type.Boolean(), notSupportedReason: Type.Union([Type.String(), Type.Null()]) })) }) },
      },
      example: { params: { id: EXAMPLE_MACHINE } },
      handler: async (req, reply, ctx) => collection(req, reply, AVAILABILITY_CONTEXT, await actions.available(ctx, (req.params as { id: string }).id)),
    },
  ];
}
