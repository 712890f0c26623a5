/**
 * The records the route tables' examples name, created in a harness tenant, and the example requests
 * built from them: the permission matrix tests (app and user context) send every route's example
 * against these. Example ids in paths and long example values in bodies are replaced by the ids of
 * the records made for them; `:id` (a machine) is the device given.
 */
import { Readable } from 'node:stream';
import { systemCtx } from '../../src/domain/context.ts';
import type { Route } from '../../src/api/route-table.ts';
import { EXAMPLE_RULE, EXAMPLE_RULE_ID } from '../../src/api/routes/detection-rules/routes.ts';
import { EXAMPLE_ACTION_ID } from '../../src/api/routes/machine-actions/routes.ts';
import { EXAMPLE_LIVE_RESPONSE_ACTION_ID, EXAMPLE_PACKAGE_ACTION_ID } from '../../src/api/routes/action-results/routes.ts';
import { EXAMPLE_GROUP_ID, EXAMPLE_IDP_ID, EXAMPLE_ROLE_ID, EXAMPLE_USER_ID } from '../../src/api/routes/settings/routes.ts';
import { EXAMPLE_SAVED_QUERY_ID } from '../../src/api/routes/hunting/saved-queries.ts';
import type { Harness } from './harness.ts';

/** What `seedRouteExamples` made. */
export interface RouteExamples {
  /** The other tenant and its device. */
  otherTenant: string;
  deviceIds: { own: string; other: string };
  /** Example path values of the tables → the record of that kind made for them (a rule's id). */
  records: Record<string, string>;
  /** The example URL of `r` under `prefix`, a machine route naming device `id`. */
  urlOf(prefix: string, r: Route, id: string): string;
  /** The example body of `r` (undefined: none), a machine named `id`. */
  bodyOf(r: Route, id: string): unknown;
}

/** Creates, in the harness tenant, every record the examples name (and another tenant with a device). */
export async function seedRouteExamples(h: Harness): Promise<RouteExamples> {
  const deviceIds = { own: '', other: '' };
  const exampleRecords: Record<string, string> = {};
  const d = await h.addDevice({ computerDnsName: 'matrix-host', machineTags: ['example'] });
  deviceIds.own = d.id;
  // the file the investigation routes' examples name, seen on this device
  const row = { table: 'DeviceProcessEvents', row: { Timestamp: new Date(Date.now() - 60_000).toISOString(), ActionType: 'ProcessCreated', FileName: 'example.exe', SHA1: '6532ec91d513acc05f43ee0aa3002599729fd3e1' } };
  await h.events.ingest({ tenantId: h.tenantId, deviceId: d.id, deviceName: d.computerDnsName, rbacGroupId: 0, batchId: 'matrix', body: Buffer.from(`${JSON.stringify(row)}\n`), gzip: false });
  const otherTenant = (await h.newTenant('Other')).id;
  const o = await h.addDevice({ computerDnsName: 'other-host' }, otherTenant);
  deviceIds.other = o.id;
  // the indicators the examples of DELETE /indicators/1 and BatchDelete ['2'] remove, and GET /indicators/3 reads
  for (const n of [1, 2, 3]) {
    await h.app.services.indicators.submit(h.operator(), { indicatorValue: String(n).padStart(40, '0'), indicatorType: 'FileSha1', action: 'Audit', title: 'Matrix', description: 'Matrix' });
  }
  exampleRecords[EXAMPLE_RULE_ID] = (await h.app.services.detectionRules.create(h.operator(), EXAMPLE_RULE)).id;
  // the actions the result link routes' examples name: a collected package and a live response whose RunScript completed, each with its result
  const device = { tenantId: h.tenantId, deviceId: d.id, deviceName: d.computerDnsName, osPlatform: d.osPlatform, rbacGroupId: 0 };
  const withResult = async (type: 'CollectInvestigationPackage' | 'LiveResponse', body: unknown, done: { commandIndex?: number; commandStatus?: 'Completed' }) => {
    const a = await h.palisade.actions.request(h.operator(), d.id, type, body);
    await h.app.services.results.upload(device, a.id, 0, Readable.from([Buffer.from('matrix result')]));
    await h.palisade.actions.progress(device, a.id, { status: 'InProgress', ...done });
    await h.palisade.actions.progress(device, a.id, { status: 'Succeeded' });
    return a.id;
  };
  exampleRecords[EXAMPLE_PACKAGE_ACTION_ID] = await withResult('CollectInvestigationPackage', { Comment: 'matrix' }, {});
  exampleRecords[EXAMPLE_LIVE_RESPONSE_ACTION_ID] = await withResult('LiveResponse', { Comment: 'matrix', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'matrix.sh' }] }] }, { commandIndex: 0, commandStatus: 'Completed' });
  const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
    dedupeKey: 'matrix', title: 'Matrix alert', description: 'x', severity: 'Low', category: 'General', detectionSource: 'CustomerTI', machineId: d.id,
    relatedUser: { userName: 'matrix', domainName: 'corp' },
  });
  exampleRecords['da639319824001230000_1'] = alert.id;
  exampleRecords['4242'] = String(alert.incidentId);
  const eventTime = new Date(Date.now() - 3600_000).toISOString();
  await h.events.eventWriter.write({
    tenantId: h.tenantId, deviceId: d.id, deviceName: d.computerDnsName, rbacGroupId: 0, batchId: 'matrix-event',
    rows: [{ table: 'DeviceProcessEvents', row: { Timestamp: eventTime, DeviceId: d.id, DeviceName: d.computerDnsName, ActionType: 'ProcessCreated', FileName: 'x.exe', ReportId: 1 } }],
  });
  exampleRecords['2026-12-01T10:00:00Z'] = eventTime;
  // the action the machine-action routes' examples read and cancel, on a device of its own (the
  // action routes' examples create one of each kind on the first device)
  const acted = await h.addDevice({ computerDnsName: 'matrix-acted' });
  exampleRecords[EXAMPLE_ACTION_ID] = (await h.palisade.actions.request(h.operator(), acted.id, 'Isolate', { Comment: 'matrix' })).id;
  // the user, role, device group and identity provider the settings routes' examples change and delete
  const settings = h.palisade.settings;
  exampleRecords[EXAMPLE_GROUP_ID] = String((await settings.deviceGroups.create(h.operator(), { name: 'Matrix group', rule: { tags: ['matrix-group'] } })).group.id);
  exampleRecords[EXAMPLE_ROLE_ID] = (await settings.roles.create(h.operator(), { name: 'Matrix role', permissions: ['viewData.securityOperations'] })).id;
  exampleRecords[EXAMPLE_USER_ID] = (await settings.users.create(h.operator(), { userPrincipalName: 'matrix.user@contoso.com' })).user.id;
  exampleRecords[EXAMPLE_IDP_ID] = (await settings.externalIdps.add(h.operator(), { name: 'Matrix provider', issuer: 'https://login.matrix.example', clientId: 'palisade' })).id;
  // the shared saved query the hunting routes' examples read, change and delete
  exampleRecords[EXAMPLE_SAVED_QUERY_ID] = (await h.app.services.savedQueries.create(h.operator(), { name: 'Matrix query', query: 'DeviceInfo | take 1', shared: true })).id;
  /** `text` (a body) with the long example values (ids, times) replaced by the records created for them. */
  const withSeeds = (text: string) => Object.entries(exampleRecords).filter(([k]) => k.length >= 10).reduce((t, [k, v]) => t.replaceAll(k, v), text);
  return {
    otherTenant,
    deviceIds,
    records: exampleRecords,
    urlOf(prefix, r, id) {
      let u = prefix + r.url;
      for (const [k, v] of Object.entries(r.example?.params ?? {})) u = u.replace(`:${k}`, exampleRecords[v] ?? (k === 'id' ? id : v));
      const q = new URLSearchParams(r.example?.query ?? {}).toString();
      return q ? `${u}?${q}` : u;
    },
    bodyOf(r, id) {
      const b = r.example?.body;
      if (b === undefined) return undefined;
      return JSON.parse(withSeeds(JSON.stringify(b)).replaceAll('0000000000000000000000000000000000000000', id));
    },
  };
}
