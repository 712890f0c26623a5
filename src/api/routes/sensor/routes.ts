/**
 * The sensor gateway (protocol v1, DESIGN.md §6): enrollment, heartbeats and event batches.
 * Devices authenticate with `Authorization: Device <deviceId>:<credential>`; the tenant and device
 * identity of everything a sensor sends come from that credential, never from the payload.
 */
import type { FastifyInstance } from 'fastify';
import type { SensorGateway, EnrollInfo, HeartbeatInfo } from '../../../services/sensor-gateway.ts';
import { errors } from '../../../domain/errors.ts';

/** Ingests one event batch for an authenticated device (src/ingest's pipeline). */
export type IngestBatch = (args: { tenantId: string; deviceId: string; deviceName: string; rbacGroupId: number; batchId: string; body: Buffer; gzip: boolean }) => Promise<{ batchId: string; accepted: number; rejected: { line: number; reason: string }[]; duplicate: boolean }>;

const BATCH_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Registers /sensor/v1/*. */
export function registerSensorRoutes(app: FastifyInstance, deps: { gateway: SensorGateway; ingest: IngestBatch | null }): void {
  app.post('/sensor/v1/enroll', { schema: { hide: true } as object }, async (req, reply) => {
    const out = await deps.gateway.enroll((req.body ?? {}) as EnrollInfo);
    return reply.status(201).send(out);
  });
  app.post('/sensor/v1/heartbeat', { schema: { hide: true } as object }, async (req) => {
    const id = await deps.gateway.authenticate(req.headers.authorization);
    return deps.gateway.heartbeat(id, (req.body ?? {}) as HeartbeatInfo);
  });
  app.register(async (scope) => {
    // Event batches arrive as (gzip) NDJSON; keep the raw bytes for the pipeline.
    scope.addContentTypeParser(['application/x-ndjson', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post('/sensor/v1/events', { schema: { hide: true } as object, bodyLimit: 32 * 1024 * 1024 }, async (req) => {
      const id = await deps.gateway.authenticate(req.headers.authorization);
      if (!deps.ingest) throw errors.badRequest('This server does not accept events');
      const batchId = String(req.headers['x-batch-id'] ?? '');
      if (!BATCH_ID.test(batchId)) throw errors.badRequest("The 'X-Batch-Id' header is required (8–128 characters of A-Z a-z 0-9 . _ : -)");
      if (!Buffer.isBuffer(req.body)) throw errors.badRequest("Event batches must be sent as 'application/x-ndjson'");
      const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (enc !== 'gzip' && enc !== 'identity') throw errors.badRequest(`Content-Encoding '${enc}' is not supported; use gzip`);
      return deps.ingest({ ...id, batchId, body: req.body, gzip: enc === 'gzip' });
    });
  });
}
