/**
 * Alerts for indicator matches (issue 12 §4). The match step finds the hits while a batch is
 * processed; once the batch is committed the pipeline hands them here (`enqueue` returns at once),
 * and a single drain loop raises one alert per (indicator, event) through the alerts use case
 * (`AlertRaiser.raise`), so raising alerts never holds up ingest. Each alert's dedupe key names the
 * indicator, the device and the event (ReportId and Timestamp), so a batch delivered again, or
 * drained again, never yields a second alert for one event.
 *
 * Delivery is at most once across a crash: hits queued in memory when the process dies are not
 * raised (the events are stored; a rule or a re-run of the match over stored events would find them).
 */
import type { AlertDraft, AlertEvidenceDraft, AlertRaiser, AlertSeverity } from '../domain/alert.ts';
import { systemCtx } from '../domain/context.ts';
import type { BatchIdentity } from '../domain/ports.ts';
import type { IndicatorHit, RowMatch } from './indicator-matcher.ts';

/** Most hits waiting to be raised; beyond it the newest are dropped and counted. */
export const MAX_PENDING_HITS = 100_000;

/** Figures of the alert side of matching. */
export interface IndicatorAlertStats {
  pending: number;
  raised: number;
  /** Raises that found the alert already there (same event and indicator). */
  deduplicated: number;
  failed: number;
  droppedOverflow: number;
}

/** The queue between the match step and the alerts use case. */
export interface IndicatorAlerts {
  /** Queues the matches of a committed batch; never waits. */
  enqueue(batch: BatchIdentity, matches: readonly RowMatch[]): void;
  /** Resolves once every hit queued so far has been raised (or failed). */
  idle(): Promise<void>;
  stats(): IndicatorAlertStats;
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

/** The queue over an alert raiser; `onError` hears of each raise that failed. */
export function createIndicatorAlerts(alerts: AlertRaiser, onError: (err: unknown, draft: AlertDraft) => void = () => undefined): IndicatorAlerts {
  const queue: { batch: BatchIdentity; match: RowMatch; hit: IndicatorHit }[] = [];
  const stats: IndicatorAlertStats = { pending: 0, raised: 0, deduplicated: 0, failed: 0, droppedOverflow: 0 };
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (queue.length) {
      const { batch, match, hit } = queue.shift()!;
      stats.pending = queue.length;
      const draft = draftOf(batch, match, hit);
      try {
        const r = await alerts.raise(systemCtx(batch.tenantId), draft);
        if (r.created) stats.raised += 1;
        else stats.deduplicated += 1;
      } catch (e) {
        stats.failed += 1;
        onError(e, draft);
      }
    }
  }

  function kick(): void {
    if (draining) return;
    draining = drain().finally(() => {
      draining = null;
      // hits queued while the last raise was settling
      if (queue.length) kick();
    });
  }

  return {
    enqueue(batch, matches) {
      for (const match of matches) {
        for (const hit of match.hits) {
          if (queue.length >= MAX_PENDING_HITS) {
            stats.droppedOverflow += 1;
            continue;
          }
          queue.push({ batch, match, hit });
        }
      }
      stats.pending = queue.length;
      kick();
    },
    async idle() {
      while (draining) await draining;
    },
    stats: () => ({ ...stats, pending: queue.length }),
  };
}
