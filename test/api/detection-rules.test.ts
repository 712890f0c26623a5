/**
 * /api/detectionrules end to end in process: the Graph detectionRule shape, OData lists, create /
 * update / delete with their checks (an unparseable query, missing event columns, an entity mapping
 * naming a column the query lacks, near real time for a query that is not a single table's filter —
 * each a 400 in MDE's error format with nothing saved), tenant isolation, and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_RULE } from '../../src/api/routes/detection-rules/routes.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let writer: string;
let reader: string;
let otherTenantWriter: string;

beforeAll(async () => {
  h = await startHarness();
  writer = await h.token(['Alert.ReadWrite.All', 'AdvancedQuery.Read.All']);
  reader = await h.token(['Alert.Read.All']);
  otherTenantWriter = await h.token(['Alert.ReadWrite.All', 'AdvancedQuery.Read.All'], (await h.newTenant('Other')).id);
});
afterAll(async () => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown) =>
  h.app.inject({
    method, url, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });

const withQuery = (queryText: string, over: Record<string, unknown> = {}) => ({ ...EXAMPLE_RULE, queryCondition: { queryText }, ...over });

function mdeError(res: { statusCode: number; body: string }, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error.message as string;
}

describe('/api/detectionrules', () => {
  it('creates a rule shaped after Graph detectionRule, runs it soon, and reads it back', async () => {
    const res = await call('POST', '/api/detectionrules', writer, EXAMPLE_RULE);
    expect(res.statusCode, res.body).toBe(201);
    const rule = res.json();
    expect(Object.keys(rule)).toEqual(['@odata.context', 'id', 'displayName', 'isEnabled', 'createdBy', 'createdDateTime', 'lastModifiedDateTime', 'lastModifiedBy', 'queryCondition', 'schedule', 'detectionAction', 'lastRunDetails']);
    expect(rule['@odata.context']).toMatch(/\/api\/\$metadata#DetectionRules\/\$entity$/);
    expect(rule).toMatchObject({
      displayName: 'Encoded PowerShell', isEnabled: true, createdBy: 'app-Alert.ReadWrite.All-AdvancedQuery.Read.All',
      queryCondition: { queryText: EXAMPLE_RULE.queryCondition.queryText },
      schedule: { period: '1H' },
      detectionAction: EXAMPLE_RULE.detectionAction,
      lastRunDetails: { lastRunDateTime: null, status: null, failureReason: null, errorCode: null },
    });
    expect(Object.keys(rule.queryCondition)).toEqual(['queryText', 'lastModifiedDateTime']);
    expect(Date.parse(rule.schedule.nextRunDateTime)).toBeLessThanOrEqual(Date.now());
    const got = await call('GET', `/api/detectionrules/${rule.id}`, reader);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(rule);
    const selected = await call('GET', `/api/detectionrules/${rule.id}?$select=displayName,schedule`, reader);
    expect(selected.json()).toEqual({ '@odata.context': expect.stringMatching(/#DetectionRules\(displayName,schedule\)\/\$entity$/), displayName: 'Encoded PowerShell', schedule: rule.schedule });
  });

  it('lists with OData filters, order, paging and counts', async () => {
    for (const name of ['Alpha', 'beta', 'Gamma']) {
      expect((await call('POST', '/api/detectionrules', writer, { ...EXAMPLE_RULE, displayName: name, isEnabled: name !== 'beta' })).statusCode).toBe(201);
    }
    const all = await call('GET', '/api/detectionrules?$count=true&$orderby=displayName asc&$top=2', reader);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()['@odata.count']).toBeGreaterThanOrEqual(4);
    expect(all.json().value).toHaveLength(2);
    expect(all.json()['@odata.nextLink']).toMatch(/(\$|%24)skip=2/);
    const off = await call('GET', "/api/detectionrules?$filter=isEnabled eq false and startswith(displayName,'BE')", reader);
    expect(off.json().value.map((r: { displayName: string }) => r.displayName)).toEqual(['beta']);
    const bad = await call('GET', "/api/detectionrules?$filter=queryCondition eq 'x'", reader);
    mdeError(bad, 400, 'ODataError');
  });

  it('updates what the body sends, keeps the rest, and reschedules a changed query', async () => {
    const rule = (await call('POST', '/api/detectionrules', writer, EXAMPLE_RULE)).json();
    const renamed = await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { displayName: 'Renamed', isEnabled: false });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ displayName: 'Renamed', isEnabled: false, queryCondition: rule.queryCondition, schedule: rule.schedule, createdDateTime: rule.createdDateTime });
    const requery = await call('PATCH', `/api/detectionrules/${rule.id}`, writer, {
      queryCondition: { queryText: 'DeviceProcessEvents | where FileName =~ "cmd.exe" | project Timestamp, DeviceId, ReportId, AccountName' },
      schedule: { period: '0' },
    });
    expect(requery.statusCode, requery.body).toBe(200);
    expect(requery.json().schedule).toEqual({ period: '0', nextRunDateTime: null });
    expect(requery.json().queryCondition.lastModifiedDateTime).not.toBe(rule.queryCondition.lastModifiedDateTime);
    expect((await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { schedule: { period: '90M' } })).json().schedule.period).toBe('90M');
    expect((await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { schedule: { period: '120m' } })).json().schedule.period).toBe('2H');
  });

  it('refuses a bad rule with a 400 in MDE\'s format and saves nothing', async () => {
    const before = (await call('GET', '/api/detectionrules?$count=true&$top=0', reader)).json()['@odata.count'];
    const cases: [unknown, string, RegExp][] = [
      [withQuery('DeviceProcessEvents | where'), 'BadRequest', /./],
      [withQuery('NoSuchTable | project Timestamp, DeviceId, ReportId'), 'BadRequest', /NoSuchTable/],
      [withQuery('DeviceProcessEvents | project Timestamp, DeviceId'), 'BadRequest', /ReportId/],
      [withQuery('DeviceProcessEvents | project Timestamp, DeviceId, ReportId'), 'BadRequest', /AccountName/],
      [withQuery('DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId', { schedule: { period: '0' } }), 'BadRequest', /near real time.*summarize/],
      [{ ...EXAMPLE_RULE, schedule: { period: '1M' } }, 'InvalidRequestBody', /5M to 24H/],
      [{ ...EXAMPLE_RULE, schedule: { period: '25H' } }, 'InvalidRequestBody', /5M to 24H/],
      [{ ...EXAMPLE_RULE, displayName: '' }, 'InvalidRequestBody', /displayName/],
      [{ ...EXAMPLE_RULE, lastRunDetails: {} }, 'InvalidRequestBody', /read-only/],
      [{ ...EXAMPLE_RULE, detectionAction: { ...EXAMPLE_RULE.detectionAction, alertTemplate: { ...EXAMPLE_RULE.detectionAction.alertTemplate, severity: 'severe' } } }, 'InvalidRequestBody', /severity/],
      [{ ...EXAMPLE_RULE, detectionAction: { ...EXAMPLE_RULE.detectionAction, alertTemplate: { ...EXAMPLE_RULE.detectionAction.alertTemplate, mitreTechniques: ['lateral'] } } }, 'InvalidRequestBody', /MITRE/],
      [{ ...EXAMPLE_RULE, detectionAction: { ...EXAMPLE_RULE.detectionAction, alertTemplate: { ...EXAMPLE_RULE.detectionAction.alertTemplate, impactedAssets: [] } } }, 'InvalidRequestBody', /at least one/],
      [{ ...EXAMPLE_RULE, detectionAction: { ...EXAMPLE_RULE.detectionAction, responseActions: [{ '@odata.type': '#microsoft.graph.security.isolateDeviceResponseAction', identifier: 'sha1' }] } }, 'InvalidRequestBody', /identifier/],
      [{ ...EXAMPLE_RULE, detectionAction: { ...EXAMPLE_RULE.detectionAction, responseActions: [{ '@odata.type': '#microsoft.graph.security.hardDeleteResponseAction' }] } }, 'InvalidRequestBody', /@odata.type/],
      [{ displayName: 'x' }, 'MissingRequiredParameter', /queryCondition/],
      [[1, 2], 'InvalidRequestBody', /object/],
    ];
    for (const [body, code, message] of cases) {
      expect(mdeError(await call('POST', '/api/detectionrules', writer, body), 400, code), JSON.stringify(body).slice(0, 200)).toMatch(message);
    }
    expect((await call('GET', '/api/detectionrules?$count=true&$top=0', reader)).json()['@odata.count']).toBe(before);
    const rule = (await call('POST', '/api/detectionrules', writer, EXAMPLE_RULE)).json();
    mdeError(await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { queryCondition: { queryText: 'DeviceProcessEvents | where (' } }), 400, 'BadRequest');
    mdeError(await call('PATCH', `/api/detectionrules/${rule.id}`, writer, {}), 400, 'InvalidRequestBody');
    expect((await call('GET', `/api/detectionrules/${rule.id}`, reader)).json()).toMatchObject({ queryCondition: rule.queryCondition, lastModifiedDateTime: rule.lastModifiedDateTime });
  });

  it('keeps tenants apart and answers unknown ids with 404', async () => {
    const rule = (await call('POST', '/api/detectionrules', writer, EXAMPLE_RULE)).json();
    mdeError(await call('GET', `/api/detectionrules/${rule.id}`, otherTenantWriter), 404, 'ResourceNotFound');
    mdeError(await call('PATCH', `/api/detectionrules/${rule.id}`, otherTenantWriter, { displayName: 'mine' }), 404, 'ResourceNotFound');
    mdeError(await call('DELETE', `/api/detectionrules/${rule.id}`, otherTenantWriter), 404, 'ResourceNotFound');
    const theirs = (await call('GET', '/api/detectionrules', otherTenantWriter)).json();
    expect(theirs.value).toEqual([]);
    expect((await call('DELETE', `/api/detectionrules/${rule.id}`, writer)).statusCode).toBe(204);
    mdeError(await call('GET', `/api/detectionrules/${rule.id}`, reader), 404, 'ResourceNotFound');
    mdeError(await call('DELETE', `/api/detectionrules/${rule.id}`, writer), 404, 'ResourceNotFound');
  });

  it('needs an alert-write and a hunting permission to write, and audits every change, refusals included', async () => {
    const alertOnly = await h.token(['Alert.ReadWrite.All']);
    expect(mdeError(await call('POST', '/api/detectionrules', alertOnly, EXAMPLE_RULE), 403, 'Forbidden')).toMatch(/AdvancedQuery/);
    mdeError(await call('POST', '/api/detectionrules', reader, EXAMPLE_RULE), 403, 'Forbidden');
    const rule = (await call('POST', '/api/detectionrules', writer, EXAMPLE_RULE)).json();
    await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { isEnabled: false });
    await call('PATCH', `/api/detectionrules/${rule.id}`, writer, { queryCondition: { queryText: 'x |' } });
    await call('DELETE', `/api/detectionrules/${rule.id}`, writer);
    const audit = (await h.state.audit.list(h.tenantId, 500)).filter((a) => a.action.startsWith('detectionRule.'));
    const mine = audit.filter((a) => a.target === rule.id).map((a) => [a.action, a.result]);
    expect(mine).toEqual(expect.arrayContaining([['detectionRule.update', 'success'], ['detectionRule.update', 'failure'], ['detectionRule.delete', 'success']]));
    expect(audit.some((a) => a.action === 'detectionRule.create' && a.result === 'failure' && a.actorId !== 'system')).toBe(true);
    expect(audit.some((a) => a.action === 'detectionRule.create' && a.result === 'success')).toBe(true);
  });

  it('appears in the OpenAPI document with both permissions', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const post = doc.paths['/api/detectionrules'].post;
    expect(post.description).toMatch(/Alert\.ReadWrite\.All.*AdvancedQuery\.Read\.All/);
    expect(doc.paths['/api/detectionrules/{ruleId}'].patch).toBeDefined();
  });
});
