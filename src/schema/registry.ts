/**
 * The registry of advanced-hunting tables Palisade stores and queries. Order is the order tables are
 * listed in docs and in the KQL schema.
 */
import type { TableDecl } from './types.ts';
import { deviceProcessEvents } from './tables/device-process-events.ts';
import { deviceNetworkEvents } from './tables/device-network-events.ts';
import { deviceFileEvents } from './tables/device-file-events.ts';
import { deviceRegistryEvents } from './tables/device-registry-events.ts';
import { deviceLogonEvents } from './tables/device-logon-events.ts';
import { deviceImageLoadEvents } from './tables/device-image-load-events.ts';
import { deviceEvents } from './tables/device-events.ts';
import { deviceInfo } from './tables/device-info.ts';
import { deviceNetworkInfo } from './tables/device-network-info.ts';
import { deviceFileCertificateInfo } from './tables/device-file-certificate-info.ts';
import { alertInfo } from './tables/alert-info.ts';
import { alertEvidence } from './tables/alert-evidence.ts';

/** Every event table, each declared once in src/schema/tables/. */
export const TABLES: readonly TableDecl[] = Object.freeze([
  deviceProcessEvents,
  deviceNetworkEvents,
  deviceFileEvents,
  deviceRegistryEvents,
  deviceLogonEvents,
  deviceImageLoadEvents,
  deviceEvents,
  deviceInfo,
  deviceNetworkInfo,
  deviceFileCertificateInfo,
  alertInfo,
  alertEvidence,
]);

const byName = new Map<string, TableDecl>(TABLES.map((t) => [t.name, t]));

/** The table with exactly this name (case-sensitive, as Kusto resolves table names), or undefined. */
export function getTable(name: string): TableDecl | undefined {
  return byName.get(name);
}
