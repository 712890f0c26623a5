/**
 * A tenant's active indicators at one version, in the compact form matching needs, packed once into
 * a SharedArrayBuffer so that it rides in the ingest step context to worker threads without being
 * copied per batch; each thread decodes a version once (indicator-matcher.ts caches by key).
 */
import type { IndicatorAction, IndicatorSeverity, IndicatorType } from '../domain/indicator.ts';

/** One indicator as matching and sensors need it. */
export interface CompactIndicator {
  id: string;
  type: IndicatorType;
  /** The stored (normalised) value. */
  value: string;
  action: IndicatorAction;
  severity: IndicatorSeverity;
  generateAlert: boolean;
  title: string;
  /** The device groups (rbacGroupIds) it applies to; null = every device. */
  groups: number[] | null;
  /** When it expires (epoch ms); null = never. */
  expiresAtMs: number | null;
}

/** A tenant's indicators at one version, packed (plain data: crosses to worker threads). */
export interface IndicatorSnapshot {
  tenantId: string;
  version: number;
  /** Number of indicators in the snapshot. */
  count: number;
  /** UTF-8 JSON of CompactIndicator[], shared, never written after packing. */
  bytes: SharedArrayBuffer;
}

/** Packs a tenant's indicators at a version. */
export function packSnapshot(tenantId: string, version: number, indicators: readonly CompactIndicator[]): IndicatorSnapshot {
  const encoded = new TextEncoder().encode(JSON.stringify(indicators));
  const bytes = new SharedArrayBuffer(encoded.byteLength);
  new Uint8Array(bytes).set(encoded);
  return { tenantId, version, count: indicators.length, bytes };
}

/** The indicators of a packed snapshot. */
export function unpackSnapshot(s: IndicatorSnapshot): CompactIndicator[] {
  // TextDecoder refuses views of shared memory: copy the bytes out first
  return JSON.parse(new TextDecoder().decode(new Uint8Array(s.bytes).slice())) as CompactIndicator[];
}

/** The key a snapshot is cached under in each thread. */
export function snapshotKey(s: Pick<IndicatorSnapshot, 'tenantId' | 'version'>): string {
  return `${s.tenantId}:${s.version}`;
}
