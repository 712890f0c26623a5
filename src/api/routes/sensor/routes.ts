/**
 * The sensor surface (protocol v1, DESIGN.md §6): enrollment, heartbeats, event batches, the
 * versioned indicator list, and machine actions (the /work long-poll and progress reports).
 * Devices authenticate with `Authorization: Device <deviceId>:<credential>`; the tenant and device
 * identity of everything a sensor sends come from that credential, never from the payload. Enroll
 * and heartbeat bodies are validated against the protocol's schemas before anything is written.
 */
import {
  ACTION_LIMITS, EnrollBodySchema, HeartbeatSchema, ProgressReportSchema, WorkQuerySchema, type EnrollBody, type Heartbeat, type ProgressReport,
} from '../../../sensor/transport/protocol.ts';
import type { MachineActionService } from '../../../services/machine-actions.ts';
import type { IndicatorService } from '../../../services/indicators.ts';
import type { LibraryService } from '../../../services/library.ts';
import { MAX_RESULT_BYTES, type ActionResultService } from '../../../services/action-results.ts';
import { resultIndexOf } from '../action-results/routes.ts';
import type { SensorGateway } from '../../../services/sensor-gateway.ts';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { errors } from '../../../domain/errors.ts';
import type { DeviceRoute, OpenRoute, RouteTable } from '../../route-table.ts';

/** Ingests one event batch for an authenticated device (src/ingest's pipeline). */
export type IngestBatch = (args: { tenantId: string; deviceId: string; deviceName: string; rbacGroupId: number; batchId: string; body: Buffer; gzip: boolean }) => Promise<{ batchId: string; accepted: number; rejected: { line: number; reason: string }[]; duplicate: boolean }>;

const BATCH_ID = /^[A-Za-z0-9._:-]{8,128}$/;
/** Largest (compressed) event batch body. */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/** The example action id of the progress route (the permission matrix creates an action under it). */
export const EXAMPLE_SENSOR_ACTION_ID = '7c1d2b6e-0000-4000-8000-00000000a11e';

/** The example action id of the result upload route (the permission matrix creates a package collection under it). */
export const EXAMPLE_RESULT_ACTION_ID = '7c1d2b6e-0000-4000-8000-00000000a12e';

/** A signal that aborts when the client goes away before the response was sent (a long-poll then ends). */
function clientGone(reply: FastifyReply): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) ac.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: ac.signal, release: () => reply.raw.off('close', onClose) };
}

/** What the sensor surface serves of files: library downloads and action result uploads. */
export interface SensorFiles {
  library: LibraryService;
  results: ActionResultService;
}

/**
 * The sensor surface's table; the indicator list is served when `indicators` is given, library files
 * and result uploads when `files` is, the action routes when `actions` is.
 */
export function sensorTable(
  gateway: SensorGateway, ingest: IngestBatch | null, indicators: IndicatorService | null = null, files: SensorFiles | null = null, actions: MachineActionService | null = null,
): RouteTable<'sensor'> {
  const routes: (DeviceRoute | OpenRoute)[] = [
    {
      method: 'POST', url: '/enroll', auth: 'enrollment-token', summary: 'Enroll a device with an onboarding package\'s token',
      schema: { body: EnrollBodySchema },
      handler: async (req, reply) => reply.status(201).send(await gateway.enroll(req.body as EnrollBody)),
    },
    {
      method: 'POST', url: '/heartbeat', auth: 'device', summary: 'Report health and what changed',
      schema: { body: HeartbeatSchema },
      example: { body: { sensorHealth: 'Active' } },
      handler: async (req, _reply, device) => gateway.heartbeat(device, req.body as Heartbeat),
    },
    {
      method: 'POST', url: '/events', auth: 'device', summary: 'Send a batch of events as (gzip) NDJSON',
      rawBody: { contentTypes: ['application/x-ndjson', 'application/octet-stream'], limit: MAX_BATCH_BYTES },
      example: {
        headers: { 'content-type': 'application/x-ndjson', 'x-batch-id': 'example-batch-0001' },
        body: '{"table":"DeviceEvents","row":{"Timestamp":"2025-01-01T00:00:00Z","ActionType":"Example"}}\n',
      },
      handler: async (req, _reply, device) => {
        if (!ingest) throw errors.badRequest('This server does not accept events');
        const batchId = String(req.headers['x-batch-id'] ?? '');
        if (!BATCH_ID.test(batchId)) throw errors.badRequest("The 'X-Batch-Id' header is required (8–128 characters of A-Z a-z 0-9 . _ : -)");
        if (!Buffer.isBuffer(req.body)) throw errors.badRequest("Event batches must be sent as 'application/x-ndjson'");
        const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (enc !== 'gzip' && enc !== 'identity') throw errors.badRequest(`Content-Encoding '${enc}' is not supported; use gzip`);
        return ingest({ ...device, batchId, body: req.body, gzip: enc === 'gzip' });
      },
    },
  ];
  if (indicators) {
    routes.push({
      method: 'GET', url: '/indicators', auth: 'device',
      summary: "The indicators for this device: the changes since the version it holds (`since`), or the whole list (no `since`, or 0)",
      schema: { querystring: Type.Object({ since: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })) }, { additionalProperties: true }) },
      example: { query: { since: '0' } },
      handler: async (req, _reply, device) => {
        const since = (req.query as { since?: string }).since;
        return indicators.forSensor(device, since === undefined ? null : Number(since));
      },
    });
  }
  if (files) {
    const { library, results } = files;
    routes.push({
      method: 'GET', url: '/library/:fileName', auth: 'device',
      summary: "A file of the tenant's live response library, for PutFile and RunScript (404 when there is none)",
      schema: { params: Type.Object({ fileName: Type.String({ minLength: 1, maxLength: 255 }) }) },
      example: { params: { fileName: 'sensor-example.sh' } },
      handler: async (req, reply, device) => {
        const { file, size, content } = await library.download(device, (req.params as { fileName: string }).fileName);
        void reply.type('application/octet-stream').header('content-length', String(size)).header('x-sha256', file.sha256);
        return reply.send(Readable.from(content));
      },
    }, {
      method: 'PUT', url: '/actions/:id/results/:index', auth: 'device',
      summary: "Upload an action's result as the raw body (≤ 512 MiB, streamed to disk): the investigation package (index 0) or a live response command's result (index = the command's index); 204",
      schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }), index: Type.String({ maxLength: 8 }) }) },
      streamBody: { contentTypes: ['application/octet-stream', 'application/gzip', 'application/json'], limit: MAX_RESULT_BYTES },
      example: { params: { id: EXAMPLE_RESULT_ACTION_ID, index: '0' }, headers: { 'content-type': 'application/octet-stream' }, body: 'example result' },
      handler: async (req, reply, device) => {
        const p = req.params as { id: string; index: string };
        if (!req.body || typeof (req.body as Readable).pipe !== 'function') throw errors.badRequest("Send the result as the body, with Content-Type 'application/octet-stream'");
        await results.upload(device, p.id, resultIndexOf(p.index), req.body as Readable);
        return reply.status(204).send();
      },
    });
  }
  if (actions) {
    routes.push({
      method: 'GET', url: '/work', auth: 'device',
      summary: 'Long-poll for work: the actions not yet acknowledged and the indicator version, at once when there is something, else within `wait` seconds (0–55, default 25)',
      schema: { querystring: WorkQuerySchema },
      example: { query: { wait: '0' } },
      handler: async (req, reply, device) => {
        const q = req.query as { wait?: string; indicatorVersion?: string };
        const gone = clientGone(reply);
        try {
          return await actions.work(device, q.wait === undefined ? ACTION_LIMITS.defaultWaitSeconds : Number(q.wait), q.indicatorVersion === undefined ? 0 : Number(q.indicatorVersion), gone.signal);
        } finally {
          gone.release();
        }
      },
    }, {
      method: 'POST', url: '/actions/:id/progress', auth: 'device',
      summary: "Report progress on one of this device's actions; answers the action's status (Cancelled or TimeOut: stop working on it)",
      schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: ProgressReportSchema },
      example: { params: { id: EXAMPLE_SENSOR_ACTION_ID }, body: { status: 'InProgress' } },
      handler: async (req, _reply, device) => actions.progress(device, (req.params as { id: string }).id, req.body as ProgressReport),
    });
  }
  return { surface: 'sensor', prefixes: ['/sensor/v1'], routes, documented: false };
}
