/**
 * Reading a submitted indicator body (POST /api/indicators, each item of an import) into an
 * IndicatorInput: every field checked and normalised, the first problem thrown as a PalisadeError
 * with MDE's code (MissingRequiredParameter, InvalidRequestBody, or the value's own code from
 * indicator.ts). Body field names are case-sensitive camelCase, as MDE reads them. Pure.
 */
import { PalisadeError } from './errors.ts';
import {
  checkActionForType, effectOf, INDICATOR_ACTIONS, INDICATOR_SEVERITIES, INDICATOR_TYPES, normalizeIndicatorValue, urlMatchForm,
  type IndicatorAction, type IndicatorInput, type IndicatorSeverity, type IndicatorType,
} from './indicator.ts';

/** Longest title, and longest description or recommended actions, accepted. */
export const MAX_TITLE = 1_000;
export const MAX_TEXT = 10_000;
/** Most device groups one indicator may name. */
const MAX_GROUPS = 500;

const bad = (msg: string) => new PalisadeError('InvalidRequestBody', msg);

function pickEnum<T extends string>(values: readonly T[], v: unknown, field: string): T {
  if (typeof v !== 'string') throw bad(`'${field}' must be a string, one of ${values.join(', ')}`);
  const found = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!found) throw bad(`'${field}' must be one of ${values.join(', ')}; got ${JSON.stringify(v).slice(0, 100)}`);
  return found;
}

function requiredText(body: Record<string, unknown>, field: string, max: number): string {
  const v = body[field];
  if (v === undefined || v === null) throw new PalisadeError('MissingRequiredParameter', `The field '${field}' is required`);
  if (typeof v !== 'string' || v.trim() === '') throw bad(`'${field}' must be a non-empty string`);
  if (v.length > max) throw bad(`'${field}' is at most ${max} characters`);
  return v;
}

function optionalText(body: Record<string, unknown>, field: string, max: number): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad(`'${field}' must be a string`);
  if (v.length > max) throw bad(`'${field}' is at most ${max} characters`);
  return v;
}

/** `rbacGroupNames` as MDE takes it: a comma-separated string (documented) or an array (its examples). */
export function readGroupNames(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (!items || !items.every((x) => typeof x === 'string')) throw bad("'rbacGroupNames' must be a comma-separated string or an array of strings");
  const names = [...new Set((items as string[]).map((x) => x.trim()).filter((x) => x !== ''))];
  if (names.length > MAX_GROUPS || names.some((n) => n.length > 256)) throw bad(`'rbacGroupNames' names at most ${MAX_GROUPS} groups of at most 256 characters`);
  return names;
}

function readExpiration(v: unknown, now: Date): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(v)) {
    throw bad("'expirationTime' must be an ISO-8601 datetime with a zone, e.g. 2030-01-01T00:00:00Z");
  }
  const d = new Date(v.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(d.getTime())) throw bad(`'expirationTime' ${JSON.stringify(v)} is not a valid datetime`);
  if (d.getTime() <= now.getTime()) throw bad(`'expirationTime' ${v} is in the past`);
  return d.toISOString();
}

function readTechniques(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 100 || !v.every((t) => typeof t === 'string' && /^T\d{4}(\.\d{3})?$/.test(t))) {
    throw bad("'mitreTechniques' must be an array of MITRE technique ids such as T1059 or T1059.001");
  }
  return [...new Set(v as string[])];
}

/**
 * The IndicatorInput of a submitted body. `now` judges the expiration time. Audit indicators must
 * raise alerts (`generateAlert` true, the default for them and for the legacy alerting actions).
 */
export function checkSubmission(body: unknown, now: Date): IndicatorInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('The body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.indicatorType === undefined) throw new PalisadeError('MissingRequiredParameter', "The field 'indicatorType' is required");
  const indicatorType: IndicatorType = pickEnum(INDICATOR_TYPES, b.indicatorType, 'indicatorType');
  if (b.indicatorValue === undefined || b.indicatorValue === null) throw new PalisadeError('MissingRequiredParameter', "The field 'indicatorValue' is required");
  if (typeof b.indicatorValue !== 'string' || b.indicatorValue.length > 2048) throw bad("'indicatorValue' must be a string of at most 2048 characters");
  const indicatorValue = normalizeIndicatorValue(indicatorType, b.indicatorValue);
  if (b.action === undefined) throw new PalisadeError('MissingRequiredParameter', "The field 'action' is required");
  const action: IndicatorAction = pickEnum(INDICATOR_ACTIONS, b.action, 'action');
  checkActionForType(indicatorType, action);
  const title = requiredText(b, 'title', MAX_TITLE);
  const description = requiredText(b, 'description', MAX_TEXT);
  const severity: IndicatorSeverity = b.severity === undefined || b.severity === null ? 'Informational' : pickEnum(INDICATOR_SEVERITIES, b.severity, 'severity');
  const alerting = action === 'Audit' || action === 'Alert' || action === 'AlertAndBlock';
  let generateAlert = alerting;
  if (b.generateAlert !== undefined && b.generateAlert !== null) {
    if (typeof b.generateAlert !== 'boolean') throw bad("'generateAlert' must be true or false");
    generateAlert = b.generateAlert;
  }
  if (effectOf(action) === 'audit' && !generateAlert) throw bad(`'generateAlert' must be true for the action '${action}'`);
  const educateUrl = optionalText(b, 'educateUrl', 2048);
  if (educateUrl !== null && !/^https?:\/\//i.test(educateUrl)) throw bad("'educateUrl' must be an http or https URL");
  if (educateUrl !== null && !urlMatchForm(educateUrl)) throw bad("'educateUrl' must be an http or https URL");
  const externalRaw = b.externalId ?? b.externalID;
  const externalId = externalRaw === undefined || externalRaw === null ? null : typeof externalRaw === 'string' && externalRaw.length <= 500 ? externalRaw : (() => { throw bad("'externalId' must be a string of at most 500 characters"); })();
  return {
    indicatorValue,
    indicatorType,
    action,
    severity,
    application: optionalText(b, 'application', 500),
    educateUrl,
    title,
    description,
    recommendedActions: optionalText(b, 'recommendedActions', MAX_TEXT),
    expirationTime: readExpiration(b.expirationTime, now),
    rbacGroupNames: readGroupNames(b.rbacGroupNames),
    mitreTechniques: readTechniques(b.mitreTechniques),
    generateAlert,
    externalId,
  };
}
