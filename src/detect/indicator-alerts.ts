/**
 * Alerts for indicator matches (issue 12 §4). The match step finds the hits while a batch is
 * processed; the pipeline drafts one alert per (indicator, event) with `draftOf` and the event store
 * commits the drafts with the batch's rows. A consumer group of the committed-batch feed then raises
 * them through the alerts use case (`AlertRaiser.raiseMany`), off the ingest path. Each alert's
 * dedupe key names the indicator, the device and the event (ReportId and Timestamp), so a batch
 * delivered again (after a crash, before its cursor was saved) never yields a second alert for one
 * event: indicator alerts are raised exactly once, crash or not.
 */
import type { AlertDraft, AlertEvidenceDraft, AlertRaiser, AlertSeverity } from '../domain/alert.ts';
import { systemCtx } from '../domain/context.ts';
import type { BatchIdentity, Queue } from '../domain/ports.ts';
import type { IndicatorHit, RowMatch } from './indicator-matcher.ts';

/** The committed-batch feed's consumer group that raises indicator alerts. */
export const INDICATOR_ALERTS_GROUP = 'indicator-alerts';

/** Figures of the alert side of matching, since the process started. */
export interface IndicatorAlertStats {
  /** Alerts this process created. */
  raised: number;
  /** Drafts whose alert was there already (a batch offered again after a crash, or the same event in two batches). */
  deduplicated: number;
  /** Drafts the alerts use case refused (e.g. the device was deleted meanwhile); they are logged and skipped. */
  rejected: number;
  /** Batches whose raise failed and that the feed delivers again after a pause. */
  failed: number;
}

/** The running consumer that turns committed indicator matches into alerts. */
export interface IndicatorAlerts {
  /** Resolves once every batch committed before the call has been handled. */
  idle(): Promise<void>;
  stats(): IndicatorAlertStats;
  /** Stops consuming; the batch in hand is finished and acknowledged first. */
  stop(): Promise<void>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The evidence of one hit: what matched (file, process, IP, URL) and who ran it. */
export function evidenceOf(table: string, row: Record<string, unknown>, hit: IndicatorHit): AlertEvidenceDraft[] {
  const out: AlertEvidenceDraft[] = [];
  const detectionStatus = hit.action === 'Block' || hit.action === 'BlockAndRemediate' || hit.action === 'AlertAndBlock' ? 'Blocked' : 'Detected';
  const initiating: AlertEvidenceDraft = {
    entityType: 'Process',
    sha1: str(row.InitiatingProcessSHA1), sha256: str(row.InitiatingProcessSHA256),
    fileName: str(row.InitiatingProcessFileName), filePath: str(row.InitiatingProcessFolderPath),
    processId: num(row.InitiatingProcessId), processCommandLine: str(row.InitiatingProcessCommandLine),
    processCreationTime: str(row.InitiatingProcessCreationTime), parentProcessId: num(row.InitiatingProcessParentId),
    parentProcessFileName: str(row.InitiatingProcessParentFileName), parentProcessCreationTime: str(row.InitiatingProcessParentCreationTime),
    detectionStatus: hit.entity === 'initiatingProcess' ? detectionStatus : null,
  };
  if (hit.entity === 'subject' || hit.entity === 'certificate') {
    out.push({ entityType: 'File', sha1: str(row.SHA1), sha256: str(row.SHA256), fileName: str(row.FileName), filePath: str(row.FolderPath), detectionStatus });
    if (table === 'DeviceProcessEvents') {
      out.push({
        entityType: 'Process', sha1: str(row.SHA1), sha256: str(row.SHA256), fileName: str(row.FileName), filePath: str(row.FolderPath),
        processId: num(row.ProcessId), processCommandLine: str(row.ProcessCommandLine), processCreationTime: str(row.ProcessCreationTime),
        parentProcessId: num(row.InitiatingProcessId), parentProcessFileName: str(row.InitiatingProcessFileName),
        parentProcessFilePath: str(row.InitiatingProcessFolderPath), parentProcessCreationTime: str(row.InitiatingProcessCreationTime), detectionStatus,
      });
    } else if (initiating.fileName || initiating.processId !== null) {
      out.push(initiating);
    }
  } else if (hit.entity === 'initiatingProcess') {
    out.push({ entityType: 'File', sha1: initiating.sha1, sha256: initiating.sha256, fileName: initiating.fileName, filePath: initiating.filePath, detectionStatus });
    out.push(initiating);
  } else {
    if (hit.entity === 'remoteIp' || str(row.RemoteIP)) out.push({ entityType: 'Ip', ipAddress: str(row.RemoteIP), detectionStatus: hit.entity === 'remoteIp' ? detectionStatus : null });
    if (hit.entity === 'remoteUrl') out.push({ entityType: 'Url', url: str(row.RemoteUrl), detectionStatus });
    if (initiating.fileName || initiating.processId !== null) out.push(initiating);
  }
  const account = str(row.AccountName) ?? str(row.InitiatingProcessAccountName);
  if (account) {
    out.push({
      entityType: 'User', accountName: account, domainName: str(row.AccountDomain) ?? str(row.InitiatingProcessAccountDomain),
      userSid: str(row.AccountSid) ?? str(row.InitiatingProcessAccountSid),
    });
  }
  return out;
}

/** The alert one hit raises. */
export function draftOf(batch: BatchIdentity, m: RowMatch, hit: IndicatorHit): AlertDraft {
  const at = str(m.row.Timestamp) ?? undefined;
  const reportId = m.row.ReportId;
  const event = typeof reportId === 'number' || (typeof reportId === 'string' && reportId !== '') ? String(reportId) : `${batch.batchId}#${m.line}`;
  const account = str(m.row.AccountName) ?? str(m.row.InitiatingProcessAccountName);
  const device = str(m.row.DeviceName) ?? batch.deviceId;
  return {
    dedupeKey: `ioc:${hit.indicatorId}:${batch.deviceId}:${event}:${at ?? ''}:${hit.column}`,
    title: hit.title,
    description: `An event on ${device} (${m.table}, ${hit.column}) matched the custom indicator ${hit.indicatorId}: ${hit.indicatorType} ${hit.indicatorValue}, action ${hit.action}.`,
    severity: hit.severity as AlertSeverity,
    category: hit.indicatorType === 'IpAddress' || hit.indicatorType === 'DomainName' || hit.indicatorType === 'Url' ? 'CommandAndControl' : 'SuspiciousActivity',
    detectionSource: 'CustomerTI',
    machineId: batch.deviceId,
    firstEventTime: at,
    lastEventTime: at,
    relatedUser: account ? { userName: account, domainName: str(m.row.AccountDomain) ?? str(m.row.InitiatingProcessAccountDomain) } : null,
    evidence: evidenceOf(m.table, m.row, hit),
    indicatorId: hit.indicatorId,
  };
}

/** Tells of drafts the alerts use case refused. */
export type OnRejected = (rejected: { draft: AlertDraft; reason: string }[]) => void;

/**
 * Consumes the committed-batch feed as the group INDICATOR_ALERTS_GROUP and raises the alerts each
 * batch carries (CommittedBatch.alerts) in one call per batch, acknowledging the batch only once
 * they are stored: a crash in between has the batch delivered again, and the dedupe keys make the
 * second raise find the alerts of the first.
 */
export async function startIndicatorAlerts(feed: Queue, alerts: AlertRaiser, onRejected: OnRejected = () => undefined): Promise<IndicatorAlerts> {
  const stats: IndicatorAlertStats = { raised: 0, deduplicated: 0, rejected: 0, failed: 0 };
  const consumer = await feed.consume(INDICATOR_ALERTS_GROUP, async (batch) => {
    if (!batch.alerts?.length) return;
    let out;
    try {
      out = await alerts.raiseMany(systemCtx(batch.tenantId), batch.alerts);
    } catch (e) {
      stats.failed += 1;
      throw e;
    }
    for (const a of out.alerts) {
      if (a.created) stats.raised += 1;
      else stats.deduplicated += 1;
    }
    if (out.rejected.length) {
      stats.rejected += out.rejected.length;
      onRejected(out.rejected);
    }
  });
  const cursor = () => feed.stats().groups.find((g) => g.group === INDICATOR_ALERTS_GROUP)?.cursor ?? 0;
  return {
    async idle() {
      const head = feed.stats().head;
      while (cursor() < head) await new Promise((r) => setTimeout(r, 10));
    },
    stats: () => ({ ...stats }),
    stop: () => consumer.stop(),
  };
}
