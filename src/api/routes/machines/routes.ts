/** The MDE machines API: list, get, update, tags, bulk tags, device value, find by tag. */
import { Type } from '@sinclair/typebox';
import type { Device } from '../../../domain/device.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import { MACHINE } from '../../../entities/machine.ts';
import type { DeviceService } from '../../../services/devices.ts';
import { parseListQuery } from '../../../odata/index.ts';
import { collection, entity, entityPage, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const one = { 200: MACHINE.schemas.entity };
const many = { 200: MACHINE.schemas.collection };

const EXAMPLE_ID = '0000000000000000000000000000000000000000';
const idParams = Type.Object({ id: Type.String({ description: 'Machine id (40 hex characters) or computer name' }) });
const tagBody = Type.Object({
  Value: Type.String({ minLength: 1, description: 'The tag' }),
  Action: Type.String({ enum: ['Add', 'Remove'] }),
}, { additionalProperties: true });

/** The machines routes, bound to a DeviceService. */
export function machineRoutes(devices: DeviceService, clock: () => Date = () => new Date()): ApiRoute[] {
  const ser = (d: Device) => MACHINE.json(d, clock());
  return [
    {
      method: 'GET', url: '/machines', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineRead,
      summary: 'List machines (OData $filter, $top ≤ 10,000, $skip, $count, $orderby, $select)',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: many },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, MACHINE.set);
        return entityPage(req, reply, MACHINE, q, await devices.list(ctx, q), clock());
      },
    },
    {
      method: 'GET', url: '/machines/findbytag', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineRead,
      summary: 'Find machines by tag (exact, or prefix with useStartsWithFilter=true)',
      schema: { querystring: Type.Object({ tag: Type.Optional(Type.String()), useStartsWithFilter: Type.Optional(Type.String({ enum: ['true', 'false', 'True', 'False'] })) }), response: many },
      example: { query: { tag: 'example' } },
      handler: async (req, reply, ctx) => {
        const { tag, useStartsWithFilter } = req.query as { tag?: string; useStartsWithFilter?: string };
        const found = await devices.findByTag(ctx, tag, useStartsWithFilter?.toLowerCase() === 'true');
        return collection(req, reply, MACHINE.set.name, found.map(ser));
      },
    },
    {
      method: 'GET', url: '/machines/:id', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineRead,
      summary: 'Get a machine by id or computer name ($select)',
      schema: { params: idParams, response: one },
      example: { params: { id: EXAMPLE_ID } },
      handler: async (req, reply, ctx) => {
        return selectedEntity(req, reply, MACHINE, () => devices.get(ctx, (req.params as { id: string }).id), clock);
      },
    },
    {
      method: 'PATCH', url: '/machines/:id', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineWrite,
      summary: 'Update machine tags (the set is replaced) and/or device value',
      schema: {
        params: idParams,
        body: Type.Object({
          machineTags: Type.Optional(Type.Array(Type.String())),
          deviceValue: Type.Optional(Type.String({ enum: ['Normal', 'Low', 'High'] })),
        }, { additionalProperties: false }),
        response: one,
      },
      example: { params: { id: EXAMPLE_ID }, body: { deviceValue: 'High' } },
      handler: async (req, reply, ctx) => entity(req, reply, MACHINE.set.name, ser(await devices.update(ctx, (req.params as { id: string }).id, req.body as object))),
    },
    {
      method: 'POST', url: '/machines/:id/tags', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineWrite,
      summary: 'Add or remove a machine tag',
      schema: { params: idParams, body: tagBody, response: one },
      example: { params: { id: EXAMPLE_ID }, body: { Value: 'example', Action: 'Add' } },
      handler: async (req, reply, ctx) => entity(req, reply, MACHINE.set.name, ser(await devices.tag(ctx, (req.params as { id: string }).id, req.body as object))),
    },
    {
      method: 'POST', url: '/machines/AddOrRemoveTagForMultipleMachines', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineWrite,
      summary: 'Add or remove a tag on up to 500 machines (all or nothing)',
      schema: { body: Type.Object({ Value: Type.String({ minLength: 1 }), Action: Type.String({ enum: ['Add', 'Remove'] }), MachineIds: Type.Array(Type.String()) }, { additionalProperties: true }), response: many },
      example: { body: { Value: 'example', Action: 'Add', MachineIds: [EXAMPLE_ID] } },
      handler: async (req, reply, ctx) => collection(req, reply, MACHINE.set.name, (await devices.tagMany(ctx, req.body as object)).map(ser)),
    },
    {
      method: 'POST', url: '/machines/:id/setDeviceValue', auth: 'bearer', tag: 'Machines', permissions: REQUIRE.machineWrite,
      summary: 'Set the device value (Normal, Low, High)',
      schema: { params: idParams, body: Type.Object({ DeviceValue: Type.String({ enum: ['Normal', 'Low', 'High'] }) }, { additionalProperties: true }), response: one },
      example: { params: { id: EXAMPLE_ID }, body: { DeviceValue: 'High' } },
      handler: async (req, reply, ctx) => entity(req, reply, MACHINE.set.name, ser(await devices.setDeviceValue(ctx, (req.params as { id: string }).id, req.body as object))),
    },
  ];
}
