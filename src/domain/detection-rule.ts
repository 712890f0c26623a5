/**
 * Custom detection rules: a hunting query that runs on a schedule (or on every committed batch) and
 * raises one alert per result row. Palisade's own API (`/api/detectionrules`) shapes them after
 * Microsoft Graph's `detectionRule` resource (security/rules/detectionRules); how a rule is stored
 * and shown is declared once in src/entities/detection-rule.ts.
 */

/** Severities an alert template may name (Graph's alertSeverity, as MDE alerts spell them). */
export const RULE_SEVERITIES = ['informational', 'low', 'medium', 'high'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/** Status of a rule's last run (Graph's huntingRuleRunStatus). */
export const RULE_RUN_STATUSES = ['running', 'completed', 'failed', 'partiallyFailed'] as const;
export type RuleRunStatus = (typeof RULE_RUN_STATUSES)[number];

/** Error codes of a rule's last run (Graph's huntingRuleErrorCode). */
export const RULE_ERROR_CODES = [
  'queryExecutionFailed', 'queryExecutionThrottling', 'queryExceededResultSize', 'queryLimitsExceeded', 'queryTimeout',
  'alertCreationFailed', 'alertReportNotFound', 'partialRowsFailed',
] as const;
export type RuleErrorCode = (typeof RULE_ERROR_CODES)[number];

/** The columns a rule's query must return: they identify the event each alert is about (as MDE requires). */
export const RULE_EVENT_COLUMNS = ['Timestamp', 'DeviceId', 'ReportId'] as const;

/**
 * The entity mappings a rule may declare (Graph's impactedAsset types), by `@odata.type`: which
 * result columns each may name, as Graph spells identifiers (camelCase of the hunting column:
 * `identifier: 'accountSid'` reads the `AccountSid` column, see assetColumn). File and IP assets are
 * Palisade's additions to Graph's device and user assets.
 */
export const IMPACTED_ASSET_TYPES = {
  '#microsoft.graph.security.impactedDeviceAsset': { kind: 'device', identifiers: ['deviceId', 'deviceName', 'remoteDeviceName'] },
  '#microsoft.graph.security.impactedUserAsset': {
    kind: 'user',
    identifiers: ['accountName', 'accountSid', 'accountUpn', 'accountObjectId', 'initiatingProcessAccountName', 'initiatingProcessAccountSid', 'initiatingProcessAccountUpn'],
  },
  '#palisade.impactedFileAsset': { kind: 'file', identifiers: ['sha1', 'sha256', 'initiatingProcessSHA1', 'initiatingProcessSHA256'] },
  '#palisade.impactedIpAsset': { kind: 'ip', identifiers: ['remoteIP', 'localIP'] },
} as const satisfies Record<string, { kind: string; identifiers: readonly string[] }>;
export type ImpactedAssetType = keyof typeof IMPACTED_ASSET_TYPES;

/** One mapping of a result column to an entity of the alert (Graph's impactedAsset). */
export interface ImpactedAsset {
  '@odata.type': ImpactedAssetType;
  identifier: string;
}

/** The result column an identifier reads: `accountSid` → `AccountSid`, `sha1` → `SHA1`, `remoteIP` → `RemoteIP`. */
export function assetColumn(identifier: string): string {
  if (identifier === 'sha1' || identifier === 'sha256') return identifier.toUpperCase();
  return identifier.charAt(0).toUpperCase() + identifier.slice(1);
}

/**
 * The automatic actions a rule may request (Graph's responseAction types that act on endpoints;
 * blocking or allowing a file adds it to an indicator), by `@odata.type`, with the identifiers
 * (result columns) each may act on. They are recorded on the rule and on each alert it raises; the
 * response issue executes them.
 */
export const RESPONSE_ACTION_TYPES = {
  '#microsoft.graph.security.isolateDeviceResponseAction': ['deviceId'],
  '#microsoft.graph.security.collectInvestigationPackageResponseAction': ['deviceId'],
  '#microsoft.graph.security.runAntivirusScanResponseAction': ['deviceId'],
  '#microsoft.graph.security.stopAndQuarantineFileResponseAction': ['deviceId', 'sha1', 'initiatingProcessSHA1'],
  '#microsoft.graph.security.blockFileResponseAction': ['sha1', 'sha256', 'initiatingProcessSHA1', 'initiatingProcessSHA256'],
  '#microsoft.graph.security.allowFileResponseAction': ['sha1', 'sha256', 'initiatingProcessSHA1', 'initiatingProcessSHA256'],
} as const satisfies Record<string, readonly string[]>;
export type ResponseActionType = keyof typeof RESPONSE_ACTION_TYPES;

/** One requested automatic action. */
export interface ResponseAction {
  '@odata.type': ResponseActionType;
  identifier: string;
  /** isolateDeviceResponseAction: `full` or `selective`. */
  isolationType?: 'full' | 'selective';
  /** block/allowFileResponseAction: the device groups the indicator applies to (none: every group). */
  deviceGroupNames?: string[];
}

/** The alert a rule raises (Graph's alertTemplate). */
export interface AlertTemplate {
  title: string;
  description: string;
  severity: RuleSeverity;
  category: string;
  recommendedActions: string | null;
  mitreTechniques: string[];
  impactedAssets: ImpactedAsset[];
}

/** What a rule does on a match (Graph's detectionAction). */
export interface DetectionAction {
  alertTemplate: AlertTemplate;
  /** Device groups (names) the rule applies to; null: every device. */
  organizationalScope: { scopeType: 'deviceGroup'; scopeNames: string[] } | null;
  responseActions: ResponseAction[];
}

/** A rule as stored. Datetimes are ISO-8601 UTC. */
export interface DetectionRule {
  tenantId: string;
  id: string;
  displayName: string;
  isEnabled: boolean;
  createdBy: string;
  createdDateTime: string;
  lastModifiedBy: string;
  lastModifiedDateTime: string;
  queryText: string;
  queryModifiedDateTime: string;
  /** `0` (near real time, on every committed batch) or `<n>M` / `<n>H`, 5 minutes to 24 hours. */
  period: string;
  /** When the scheduler runs the rule next; null for near-real-time rules. */
  nextRunDateTime: string | null;
  /** For near-real-time rules, the one table the query reads (batches without it are skipped). */
  nrtTable: string | null;
  detectionAction: DetectionAction;
  lastRunDateTime: string | null;
  lastRunStatus: RuleRunStatus | null;
  lastRunFailureReason: string | null;
  lastRunErrorCode: RuleErrorCode | null;
  /** The end of the last window that completed: the next run looks back to here (minus a period). */
  lastSuccessDateTime: string | null;
  /** Which process holds the rule's run lease, and until when (see DetectionRuleRepo.takeLease). */
  leaseOwner: string | null;
  leaseExpiresDateTime: string | null;
}

/** Near real time: the rule runs on every committed batch of its table. */
export const NRT_PERIOD = '0';
export const MIN_PERIOD_MS = 5 * 60_000;
export const MAX_PERIOD_MS = 24 * 3_600_000;

/**
 * A schedule period in milliseconds: 0 for near real time, else `<n>M` (minutes) or `<n>H` (hours)
 * between 5 minutes and 24 hours (Graph's values `1H`, `3H`, `12H`, `24H` among them). Null when
 * the text is no period.
 */
export function periodMs(period: string): number | null {
  if (period === NRT_PERIOD) return 0;
  const m = /^([1-9]\d{0,4})([MH])$/i.exec(period);
  if (!m) return null;
  const ms = Number(m[1]) * (m[2].toUpperCase() === 'H' ? 3_600_000 : 60_000);
  return ms >= MIN_PERIOD_MS && ms <= MAX_PERIOD_MS ? ms : null;
}

/** A period's canonical text: whole hours as `<n>H`, else `<n>M`; `0` stays `0`. */
export function canonicalPeriod(ms: number): string {
  if (ms === 0) return NRT_PERIOD;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}H` : `${ms / 60_000}M`;
}

/** Fields of a rule the run bookkeeping writes (never the definition). */
export type RuleRunUpdate = Pick<DetectionRule, 'lastRunDateTime' | 'lastRunStatus' | 'lastRunFailureReason' | 'lastRunErrorCode'>
  & Partial<Pick<DetectionRule, 'lastSuccessDateTime' | 'nextRunDateTime'>>;
