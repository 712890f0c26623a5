/**
 * Requests for the files routes: the live response library (multipart uploads with hostile field
 * names, file names, flags, boundaries and truncations; OData on the list; deletes by hostile
 * names), a device's library download and result uploads (hostile ids, indices, content types,
 * declared lengths), the result link routes (hostile ids and `index`), and the public download
 * route with forged, garbled and missing signatures.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

/** One request of the kind: how it authenticates (bearer token, the fuzz device, or none). */
export interface FilesFuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  auth: 'bearer' | 'device' | 'none';
}

/** URL-encoded; a lone surrogate (not encodable) becomes U+FFFD first. */
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

const NAMES = ['collect.sh', 'COLLECT.SH', 'run.ps1', '../etc/passwd', 'a\\b', '.', '..', 'nul\u0000x', 'tab\tname', ' ', 'x'.repeat(300), 'ok name.txt', '😀.sh'];
const FIELDS = ['File', 'file', 'Description', 'ParametersDescription', 'HasParameters', 'OverrideIfExists', 'overrideifexists', 'Colour', '__proto__', 'constructor', ''];
const FLAGS = ['true', 'false', 'True', 'FALSE', 'yes', '', '1', ' true '];

/** A multipart body built from random parts, sometimes broken on purpose. */
function form(rng: Rng): { body: Buffer; contentType: string } {
  const boundary = rng.chance(0.9) ? `----fuzz${rng.int(1e9)}` : rng.pick(['', '"', 'a'.repeat(100), '--']);
  const chunks: Buffer[] = [];
  const parts = rng.int(6);
  for (let i = 0; i < parts; i++) {
    const name = rng.chance(0.7) ? rng.pick(FIELDS) : rng.pick(HOSTILE_STRINGS).slice(0, 200);
    if (rng.chance(0.45)) {
      const fileName = rng.chance(0.7) ? rng.pick(NAMES) : rng.pick(HOSTILE_STRINGS).slice(0, 300);
      const content = rng.pick([Buffer.alloc(0), Buffer.from('echo fuzz\n'), Buffer.alloc(70_000, 0x41), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x2d, 0x2d])]);
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName.replace(/"/g, '%22')}"\r\nContent-Type: application/octet-stream\r\n\r\n`), content, Buffer.from('\r\n'));
    } else {
      const value = rng.chance(0.6) ? rng.pick(FLAGS) : rng.pick([...HOSTILE_STRINGS, 'x'.repeat(20_000)]);
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    }
  }
  if (rng.chance(0.9)) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  let body = Buffer.concat(chunks);
  if (rng.chance(0.1)) body = body.subarray(0, rng.int(body.length + 1));
  const contentType = rng.chance(0.9) ? `multipart/form-data; boundary=${boundary}` : rng.pick(['multipart/form-data', 'application/json', 'text/plain', 'multipart/mixed; boundary=x']);
  return { body, contentType };
}

function odata(rng: Rng): string {
  const parts: string[] = [];
  if (rng.chance(0.6)) {
    const prop = rng.pick(['fileName', 'sha256', 'createdBy', 'hasParameters', 'creationTime', 'lastUpdatedTime', 'description', 'size', 'blobKey', '__proto__']);
    const lit = rng.pick([`'${rng.pick(NAMES).replace(/'/g, "''")}'`, 'true', '2026-12-05T00:00:00Z', rng.pick(HOSTILE_NUMBERS), `'${rng.pick(HOSTILE_STRINGS).replace(/'/g, "''")}'`]);
    parts.push(`$filter=${enc(rng.chance(0.8) ? `${prop} ${rng.pick(['eq', 'ne', 'gt', 'le', 'in'])} ${lit}` : `startswith(${prop},${lit})`)}`);
  }
  if (rng.chance(0.3)) parts.push(`$orderby=${enc(`${rng.pick(['fileName', 'creationTime', 'nope'])} ${rng.pick(['asc', 'desc', 'up'])}`)}`);
  if (rng.chance(0.3)) parts.push(`$top=${enc(rng.pick(['1', '10000', '10001', ...HOSTILE_NUMBERS]))}`);
  if (rng.chance(0.2)) parts.push(`$select=${enc(rng.pick(['fileName', 'sha256,description', 'blobKey', '*']))}`);
  if (rng.chance(0.2)) parts.push(`$count=${rng.pick(['true', 'false', 'maybe'])}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * One request of the files kind. `actions` are ids of known actions (some the fuzz device's, with
 * results), `tenantId` the harness tenant, `link` a valid signed download path to mutate.
 */
export function filesRequest(rng: Rng, actions: readonly string[], tenantId: string, link: string): FilesFuzzRequest {
  const id = () => (rng.chance(0.6) ? rng.pick(actions) : enc(rng.pick([...HOSTILE_STRINGS, '556b3952acb0bff29816d267822305781cc183ec', '00000000-0000-0000-0000-000000000000']).slice(0, 300)));
  const index = () => enc(rng.pick(['0', '1', '2', '24', '9999', '-1', '1.5', ...HOSTILE_NUMBERS, ...HOSTILE_STRINGS.slice(0, 12)]));
  switch (rng.int(8)) {
    case 0: case 1: {
      const f = form(rng);
      return { method: 'POST', url: '/api/libraryfiles', headers: { 'content-type': f.contentType }, payload: f.body, auth: 'bearer' };
    }
    case 2:
      return rng.chance(0.6)
        ? { method: 'GET', url: `/api/libraryfiles${odata(rng)}`, headers: {}, auth: 'bearer' }
        : { method: 'DELETE', url: `/api/libraryfiles/${enc(rng.pick([...NAMES, ...HOSTILE_STRINGS]).slice(0, 400))}`, headers: {}, auth: 'bearer' };
    case 3:
      return { method: 'GET', url: `/sensor/v1/library/${enc(rng.pick([...NAMES, ...HOSTILE_STRINGS]).slice(0, 400))}`, headers: {}, auth: 'device' };
    case 4: {
      const type = rng.pick(['application/octet-stream', 'application/json', 'application/gzip', 'text/plain', 'multipart/form-data; boundary=x']);
      const body = rng.pick([Buffer.alloc(0), Buffer.from('{"script_name":"a.sh","exit_code":0}'), Buffer.alloc(200_000, 7)]);
      const headers: Record<string, string> = { 'content-type': type };
      if (rng.chance(0.1)) headers['content-length'] = rng.pick(['600000000', String(body.length)]);
      return { method: 'PUT', url: `/sensor/v1/actions/${id()}/results/${index()}`, headers, payload: body, auth: 'device' };
    }
    case 5:
      return rng.chance(0.5)
        ? { method: 'GET', url: `/api/machineactions/${id()}/getPackageUri`, headers: {}, auth: 'bearer' }
        : { method: 'GET', url: `/api/machineactions/${id()}/GetLiveResponseResultDownloadLink(index=${index()})`, headers: {}, auth: 'bearer' };
    default: {
      // the public download route: a valid link mutated, or made up
      const u = new URL(link, 'https://x');
      if (rng.chance(0.3)) u.searchParams.set('signature', rng.pick(['', 'x'.repeat(43), 'A'.repeat(43), ...HOSTILE_STRINGS]));
      if (rng.chance(0.3)) u.searchParams.set('expires', rng.pick([...HOSTILE_NUMBERS, '', 'soon']));
      if (rng.chance(0.2)) u.searchParams.delete(rng.pick(['signature', 'expires']));
      let path = u.pathname;
      if (rng.chance(0.3)) path = `/downloads/actions/${enc(rng.chance(0.5) ? tenantId : rng.pick(HOSTILE_STRINGS))}/${id()}/${index()}`;
      return { method: 'GET', url: `${path}${u.search}`, headers: {}, auth: 'none' };
    }
  }
}
