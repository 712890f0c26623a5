/**
 * `npm run fuzz`: seeded, deterministic mutation of hostile input against the real app in process
 * (Fastify's inject): public hunting queries mutated (KQL), OData $filter/$orderby/$top/$skip on
 * /api/machines, sensor event batches, custom detection rule bodies (create and update), indicator
 * submissions, imports and deletes, and the investigation entity, SIEM and Graph alert routes (bad
 * hashes, IPs, domains, huge lookBackHours, Graph filters), and the alerts and incidents API (OData
 * filters as clients send them, PATCH and batchUpdate bodies), and the machine actions API with the
 * sensor's action protocol (action bodies, OData, hostile ids, /work and progress reports), and the
 * files routes (library uploads, downloads and deletes, result uploads, result links, signed
 * downloads with forged signatures), and the sign-in routes of the identity surface (authorize
 * queries, sign-in forms, device codes, user-grant token requests, the password grant) with its federation routes
 * (hostile provider answers and start links), and the settings API and audit log (role, device-group, user and identity-provider bodies, hostile ids and names, OData on /api/auditlogs), and the saved hunting queries (mutated bodies, hostile ids). Reports, per kind, the inputs sent, responses ≥ 500,
 * crashes (a request that threw, or an uncaught error) and the slowest input; exits 1 when any
 * input got a 5xx, crashed, or took longer than its bound.
 *
 *   npm run fuzz -- [--seed N] [--kql N] [--odata N] [--sensor N] [--rules N] [--indicators N] [--entities N] [--alerts N] [--actions N] [--files N] [--console N] [--identity N] [--federation N] [--settings N] [--saved N] [--corpus DIR] [--bound-ms N] [--verbose]
 *
 * Queries come from ../shared/corpus/hunting (beside a checkout) when present, else from the small
 * samples under test/fixtures/hunting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { startHarness, type Harness } from '../test/support/harness.ts';
import { EXAMPLE_RULE } from '../src/api/routes/detection-rules/routes.ts';
import { detectionRuleRequest } from './fuzz/detection-rule.ts';
import { indicatorRequest } from './fuzz/indicators.ts';
import { entityRequest } from './fuzz/entities.ts';
import { alertRequest } from './fuzz/alerts.ts';
import { actionRequest } from './fuzz/actions.ts';
import { filesRequest } from './fuzz/files.ts';
import { consoleRequest } from './fuzz/console.ts';
import { identityRequest } from './fuzz/identity.ts';
import { CONSOLE_CLIENT_ID } from '../src/auth/console-client.ts';
import { federationRequest } from './fuzz/federation.ts';
import { settingsRequest } from './fuzz/settings.ts';
import { savedQueryRequest } from './fuzz/saved-queries.ts';
import { systemCtx } from '../src/domain/context.ts';
import { mutateKql } from './fuzz/kql.ts';
import { odataUrl } from './fuzz/odata.ts';
import { Rng } from './fuzz/rng.ts';
import { sensorBatch } from './fuzz/sensor.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** One request to inject. */
interface FuzzRequest { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; headers: Record<string, string>; payload?: unknown }

/** Figures of one kind of input. */
interface Figures {
  inputs: number; status5xx: number; crashes: number;
  /** Inputs over the bound twice in a row; `slowOnce` were over it once but not when sent again (a pause of the machine). */
  overBound: number; slowOnce: number;
  maxMs: number; slowest: string; statuses: Record<number, number>;
}

function readQueries(dir: string): string[] {
  const files = ['queries.jsonl', 'client-queries-msticpy.jsonl', 'client-queries-demisto.jsonl', 'queries.sample.jsonl', 'client-queries-msticpy.sample.jsonl', 'client-queries-demisto.sample.jsonl'];
  const out: string[] = [];
  for (const f of files) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    for (const l of readFileSync(p, 'utf8').split('\n')) {
      if (!l.trim()) continue;
      const q = (JSON.parse(l) as { query?: unknown }).query;
      if (typeof q === 'string' && q.trim()) out.push(q);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' }, kql: { type: 'string', default: '2000' }, odata: { type: 'string', default: '5000' },
      sensor: { type: 'string', default: '2000' }, rules: { type: 'string', default: '1000' }, indicators: { type: 'string', default: '2000' }, entities: { type: 'string', default: '2000' }, alerts: { type: 'string', default: '1500' }, actions: { type: 'string', default: '1500' }, files: { type: 'string', default: '1000' }, console: { type: 'string', default: '1000' }, identity: { type: 'string', default: '2000' }, federation: { type: 'string', default: '1000' }, settings: { type: 'string', default: '1000' }, saved: { type: 'string', default: '1000' }, corpus: { type: 'string' }, 'bound-ms': { type: 'string', default: '15000' }, verbose: { type: 'boolean', default: false },
    },
  });
  const seed = Number(values.seed);
  const boundMs = Number(values['bound-ms']);
  const shared = values.corpus ?? join(ROOT, '../shared/corpus/hunting');
  const corpusDir = existsSync(shared) ? shared : join(ROOT, 'test/fixtures/hunting');
  const queries = readQueries(corpusDir);
  if (!queries.length) throw new Error(`no queries found in ${corpusDir}`);

  let uncaught = 0;
  process.on('uncaughtException', (e) => { uncaught += 1; process.stderr.write(`uncaught: ${e.stack ?? String(e)}\n`); });
  process.on('unhandledRejection', (e) => { uncaught += 1; process.stderr.write(`unhandled rejection: ${String(e)}\n`); });

  // hunting's timeout sits well inside the per-input bound, so a slow query is refused, not a failure
  const h: Harness = await startHarness({}, { hunting: { timeoutMs: Math.min(10_000, boundMs / 2), cpuMsPerHour: Number.MAX_SAFE_INTEGER } });
  const token = await h.token(['AdvancedQuery.Read.All', 'Machine.Read.All', 'Ti.ReadWrite.All']);
  for (let i = 0; i < 30; i++) await h.addDevice({ computerDnsName: `fuzz-host-${i}.corp`, osPlatform: i % 2 ? 'Windows11' : 'Linux', rbacGroupId: i % 3 });
  const enrollment = await h.app.services.gateway.createEnrollmentToken(h.operator(), 3600_000);
  const enrolled = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: enrollment.token, computerDnsName: 'fuzz-sensor', osPlatform: 'Linux', version: 'Ubuntu 22.04', osVersion: '5.15.0-91-generic', osProcessor: 'x64', osArchitecture: '64-bit', osBuild: 1, agentVersion: '1.0.0' } });
  if (enrolled.statusCode !== 201) throw new Error(`enrollment failed: ${enrolled.body}`);
  const device = enrolled.json() as { deviceId: string; deviceCredential: string };
  const deviceAuth = `Device ${device.deviceId}:${device.deviceCredential}`;

  // inputs depend on the seed and on this clock only (sensor events are dated around it)
  const started = Date.now();
  const figures: Record<string, Figures> = {};
  const run = async (kind: string, count: number, make: (rng: Rng, i: number) => FuzzRequest, label: (r: FuzzRequest) => string) => {
    const f: Figures = (figures[kind] = { inputs: 0, status5xx: 0, crashes: 0, overBound: 0, slowOnce: 0, maxMs: 0, slowest: '', statuses: {} });
    const rng = new Rng(seed * 1_000_003 + kind.length * 7919);
    for (let i = 0; i < count; i++) {
      const req = make(rng, i);
      const t = performance.now();
      let status = 0;
      let body = '';
      try {
        const res = await h.app.inject(req as never);
        status = res.statusCode;
        body = res.body;
      } catch (e) {
        f.crashes += 1;
        process.stderr.write(`${kind} #${i} crashed: ${String(e)}\n  input: ${label(req).slice(0, 500)}\n`);
      }
      const ms = performance.now() - t;
      f.inputs += 1;
      f.statuses[status] = (f.statuses[status] ?? 0) + 1;
      if (ms > f.maxMs) { f.maxMs = ms; f.slowest = label(req).slice(0, 300); }
      if (ms > boundMs) {
        // sent again: an input that is slow by itself is slow twice; a busy machine rarely pauses twice
        const t2 = performance.now();
        await h.app.inject(req as never).catch(() => undefined);
        const again = performance.now() - t2;
        if (again > boundMs) f.overBound += 1;
        else f.slowOnce += 1;
        process.stderr.write(`${kind} #${i} took ${Math.round(ms)} ms, then ${Math.round(again)} ms: ${label(req).slice(0, 500)}\n`);
      }
      if (status >= 500) {
        f.status5xx += 1;
        process.stderr.write(`${kind} #${i} answered ${status}: ${body.slice(0, 300)}\n  input: ${label(req).slice(0, 2000)}\n`);
      }
      if (values.verbose) process.stdout.write(`${kind} #${i} ${status} ${Math.round(ms)} ms\n`);
      else if ((i + 1) % 5000 === 0) process.stderr.write(`${kind}: ${i + 1} of ${count}, ${f.status5xx} >= 500 so far\n`);
    }
  };
  const auth = { authorization: `Bearer ${token}` };
  await run('odata', Number(values.odata), (rng) => ({ method: 'GET', url: odataUrl(rng), headers: auth }), (r) => r.url);
  await run('sensor', Number(values.sensor), (rng, i) => {
    const b = sensorBatch(rng, i, started);
    return {
      method: 'POST', url: '/sensor/v1/events', payload: b.body,
      headers: { authorization: deviceAuth, 'content-type': 'application/x-ndjson', 'x-batch-id': b.batchId, ...(b.gzip ? { 'content-encoding': 'gzip' } : {}) },
    };
  }, (r) => String(r.payload).slice(0, 300));
  await run('ti', Number(values.indicators), (rng) => {
    const r = indicatorRequest(rng);
    return { method: r.method, url: r.url, headers: { ...auth, ...(r.payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(r.payload === undefined ? {} : { payload: JSON.stringify(r.payload) }) };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  await run('kql', Number(values.kql), (rng) => ({ method: 'POST', url: '/api/advancedqueries/run', headers: auth, payload: { Query: mutateKql(rng, queries) } }), (r) => (r.payload as { Query: string }).Query);
  const ruleToken = await h.token(['Alert.ReadWrite.All', 'AdvancedQuery.Read.All']);
  const rule = await h.app.services.detectionRules.create(h.operator(), EXAMPLE_RULE);
  await run('rules', Number(values.rules), (rng) => {
    const r = detectionRuleRequest(rng, queries, rule.id);
    const payload = r.payload === undefined ? undefined : JSON.stringify(r.payload);
    return { method: r.method, url: r.url, payload, headers: { authorization: `Bearer ${ruleToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '')}`);
  const entityTokens = {
    mde: await h.token(['File.Read.All', 'Ip.Read.All', 'URL.Read.All', 'User.Read.All', 'Machine.Read.All', 'Alert.Read.All']),
    graph: await h.token(['SecurityAlert.Read.All', 'SecurityIncident.Read.All'], undefined, 'https://graph.microsoft.com/.default'),
  };
  await run('entities', Number(values.entities), (rng) => {
    const r = entityRequest(rng, started);
    return { method: 'GET', url: r.url, headers: { authorization: `Bearer ${r.graph ? entityTokens.graph : entityTokens.mde}` } };
  }, (r) => r.url);
  const alertToken = await h.token(['Alert.ReadWrite.All', 'URL.Read.All', 'File.Read.All', 'Ip.Read.All', 'User.Read.All', 'Machine.Read.All']);
  const hosts = await h.app.services.devices.list(h.operator(), { top: 5, skip: 0, count: false, orderBy: [] });
  const alertIds: string[] = [];
  for (const [i, d] of hosts.items.entries()) {
    const { alert } = await h.palisade.alerts.raise(systemCtx(h.tenantId), {
      dedupeKey: `fuzz-${i}`, title: `Known bad file ${i}`, description: 'fuzz', severity: 'High', category: 'Malware', detectionSource: 'CustomerTI', machineId: d.id,
      evidence: [{ entityType: 'File', sha1: 'a'.repeat(40), fileName: 'x.exe' }, { entityType: 'Url', url: 'http://bad.example/x' }, { entityType: 'User', accountName: 'bob', domainName: 'corp' }],
    });
    alertIds.push(alert.id);
  }
  await run('alerts', Number(values.alerts), (rng) => {
    const r = alertRequest(rng, alertIds);
    const payload = r.payload === undefined ? undefined : JSON.stringify(r.payload);
    return { method: r.method, url: r.url, payload, headers: { authorization: `Bearer ${alertToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  const actionToken = await h.token(['Machine.Read.All', 'Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.StopAndQuarantine', 'Machine.LiveResponse', 'Machine.Offboard']);
  const machineIds = [...new Set([...hosts.items.map((d) => d.id), device.deviceId])];
  // actions to read, cancel and report on: some on the fuzz device (its progress reports reach them)
  const actionIds: string[] = [];
  for (const [i, id] of machineIds.entries()) {
    actionIds.push((await h.palisade.actions.request(h.operator(), id, 'CollectInvestigationPackage', { Comment: `fuzz ${i}` })).id);
  }
  actionIds.push((await h.palisade.actions.request(h.operator(), device.deviceId, 'RunAntiVirusScan', { Comment: 'fuzz', ScanType: 'Quick' })).id);
  actionIds.push((await h.palisade.actions.request(h.operator(), device.deviceId, 'LiveResponse', {
    Comment: 'fuzz', Commands: [{ type: 'GetFile', params: [{ key: 'Path', value: '/etc/hostname' }] }, { type: 'RunScript', params: [{ key: 'ScriptName', value: 'a.sh' }] }],
  })).id);
  await run('actions', Number(values.actions), (rng) => {
    const r = actionRequest(rng, machineIds, actionIds);
    const payload = r.payload === undefined ? undefined : JSON.stringify(r.payload);
    return { method: r.method, url: r.url, payload, headers: { authorization: r.sensor ? deviceAuth : `Bearer ${actionToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  // files: a library file, and a collected package on the fuzz device whose signed link the download inputs mutate
  const filesToken = await h.token(['Library.Manage', 'Machine.Read.All']);
  await h.app.services.library.upload(h.operator(), (async function* () {
    yield { kind: 'file' as const, name: 'File', fileName: 'collect.sh', content: Readable.from([Buffer.from('echo fuzz\n')]) };
  })());
  const fuzzDevice = { tenantId: h.tenantId, deviceId: device.deviceId, deviceName: 'fuzz-sensor', osPlatform: 'Linux', rbacGroupId: 0 };
  // the fuzz device's collection (created above with the other actions)
  const packageId = (await h.state.actions.openOf(h.tenantId, device.deviceId, 'CollectInvestigationPackage'))!.id;
  await h.app.services.results.upload(fuzzDevice, packageId, 0, Readable.from([Buffer.from('fuzz package')]));
  await h.palisade.actions.progress(fuzzDevice, packageId, { status: 'Succeeded' });
  const link = await h.app.services.results.packageLink(h.operator(), packageId, '');
  await run('files', Number(values.files), (rng) => {
    const r = filesRequest(rng, [...actionIds, packageId], h.tenantId, link);
    const authz: Record<string, string> = r.auth === 'bearer' ? { authorization: `Bearer ${filesToken}` } : r.auth === 'device' ? { authorization: deviceAuth } : {};
    return { method: r.method, url: r.url, payload: r.payload, headers: { ...authz, ...r.headers } };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 200)}`);
  await run('console', Number(values.console), (rng) => ({ ...consoleRequest(rng), headers: {} }), (r) => r.url);
  // sign-in: a user, a public app, and one real pending request whose form the inputs post to, forged or not
  await h.palisade.settings.users.create(h.operator(), { userPrincipalName: 'alice@contoso.com', password: 'fuzz password 1234' });
  const publicApp = await h.tenants.createPublicApp(h.operator(), 'fuzz-native', ['http://127.0.0.1/callback']);
  const confidentialApp = await h.tenants.createApp(h.operator(), 'fuzz-confidential', []);
  const authorizeQuery = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: 'http://localhost:80/console/', scope: 'https://api.securitycenter.microsoft.com/.default openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });
  const page = await h.app.inject({ method: 'GET', url: `/${h.tenantId}/oauth2/v2.0/authorize?${authorizeQuery}`, headers: { host: 'localhost:80' } });
  const hiddenField = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
  const identityTargets = {
    tenantId: h.tenantId, clientIds: [CONSOLE_CLIENT_ID, publicApp.clientId, confidentialApp.clientId, 'not-a-client'], secrets: [confidentialApp.clientSecret, 'wrong secret'],
    redirectUris: ['http://localhost:80/console/', 'http://127.0.0.1:5555/callback', 'http://127.0.0.1/callback'],
    pending: { request: hiddenField('request'), csrf: hiddenField('csrf'), cookie: String(page.headers['set-cookie'] ?? '').split(';')[0] },
  };
  await run('identity', Number(values.identity), (rng) => {
    const r = identityRequest(rng, identityTargets);
    return { ...r, headers: { host: 'localhost:80', ...r.headers } };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  await run('federation', Number(values.federation), (rng) => federationRequest(rng, h.tenantId, identityTargets.pending), (r) => `${r.url} ${JSON.stringify(r.headers)}`);
  const settingsAuth = { authorization: `Bearer ${await h.token(['PortalSettings.Manage'])}` };
  await run('settings', Number(values.settings), (rng, i) => {
    const r = settingsRequest(rng, i);
    return { method: r.method, url: r.url, headers: { ...settingsAuth, ...(r.payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(r.payload === undefined ? {} : { payload: JSON.stringify(r.payload) }) };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  const huntAuth = { authorization: `Bearer ${await h.token(['AdvancedQuery.Read.All'])}` };
  const savedIds: string[] = [];
  for (const shared of [true, false]) savedIds.push((await h.app.services.savedQueries.create(h.operator(), { name: `fuzz seed ${shared}`, query: 'DeviceInfo', shared })).id);
  await run('saved', Number(values.saved), (rng, i) => {
    const r = savedQueryRequest(rng, i, savedIds);
    return { method: r.method, url: r.url, headers: { ...huntAuth, ...(r.payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(r.payload === undefined ? {} : { payload: JSON.stringify(r.payload) }) };
  }, (r) => `${r.method} ${r.url} ${String(r.payload ?? '').slice(0, 300)}`);
  await h.close();

  let failed = uncaught > 0;
  process.stdout.write(`fuzz: seed ${seed}, ${queries.length} base queries from ${corpusDir}, bound ${boundMs} ms per input\n`);
  for (const [kind, f] of Object.entries(figures)) {
    process.stdout.write(`${kind.padEnd(6)} inputs ${f.inputs}  responses>=500 ${f.status5xx}  crashes ${f.crashes}  over bound ${f.overBound} (slow once ${f.slowOnce})  max ${Math.round(f.maxMs)} ms  statuses ${JSON.stringify(f.statuses)}\n       slowest: ${JSON.stringify(f.slowest.slice(0, 120))}\n`);
    if (f.status5xx || f.crashes || f.overBound) failed = true;
  }
  process.stdout.write(`uncaught errors ${uncaught}\n${failed ? 'FAILED' : 'ok'}\n`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
