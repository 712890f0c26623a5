/**
 * The live response library (MDE reference §2.8) through the API and the sensor surface: upload
 * (multipart, ≤ 20 MB, OverrideIfExists), list with OData, delete, a device's download, tenant
 * isolation, bad input in MDE's error shape, and the audit trail.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIBRARY_FILE_BYTES } from '../../src/domain/library-file.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { multipartBody, type FormPart } from '../support/multipart.ts';

let h: Harness;
let token: string;
let otherToken: string;
let device: { deviceId: string; deviceCredential: string };
let otherDevice: { deviceId: string; deviceCredential: string };

async function enroll(tenantId: string, name: string) {
  const tok = await h.app.services.gateway.createEnrollmentToken(h.operator(tenantId), 3600_000);
  const res = await h.app.inject({ method: 'POST', url: '/sensor/v1/enroll', payload: { enrollmentToken: tok.token, computerDnsName: name, osPlatform: 'Linux' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { deviceId: string; deviceCredential: string };
}

beforeAll(async () => {
  h = await startHarness();
  token = await h.token(['Library.Manage']);
  const other = await h.newTenant('Other');
  otherToken = await h.token(['Library.Manage'], other.id);
  device = await enroll(h.tenantId, 'lib-host');
  otherDevice = await enroll(other.id, 'other-host');
});
afterAll(async () => h?.close());

function upload(parts: readonly FormPart[], bearer = token) {
  const { body, contentType } = multipartBody(parts);
  return h.app.inject({ method: 'POST', url: '/api/libraryfiles', headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, payload: body });
}
const list = (query = '', bearer = token) => h.app.inject({ method: 'GET', url: `/api/libraryfiles${query}`, headers: { authorization: `Bearer ${bearer}` } });
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('live response library', () => {
  it('uploads a file and answers the LibraryFile entity key for key', async () => {
    const script = '#!/bin/sh\necho "collected $1"\n';
    const res = await upload([
      { name: 'Description', value: 'Collects what we need' },
      { name: 'ParametersDescription', value: 'the case number' },
      { name: 'File', fileName: 'collect.sh', content: script },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['@odata.context', 'fileName', 'sha256', 'description', 'creationTime', 'lastUpdatedTime', 'createdBy', 'hasParameters', 'parametersDescription']);
    expect(body['@odata.context']).toMatch(/\/api\/\$metadata#LibraryFiles\/\$entity$/);
    expect(body).toMatchObject({ fileName: 'collect.sh', sha256: sha256(script), description: 'Collects what we need', hasParameters: true, parametersDescription: 'the case number' });
    expect(body.creationTime).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(res.headers['odata-version']).toBe('4.0');
  });

  it('lists the library with OData and keeps it per tenant', async () => {
    await upload([{ name: 'file', fileName: 'Second.ps1', content: 'Write-Output 1' }, { name: 'hasparameters', value: 'False' }]);
    const all = await list();
    expect(all.statusCode).toBe(200);
    expect(all.json().value.map((f: { fileName: string }) => f.fileName)).toEqual(['collect.sh', 'Second.ps1']);
    expect(all.json().value[1]).toMatchObject({ description: null, hasParameters: false, parametersDescription: null });
    const filtered = await list("?$filter=fileName eq 'second.PS1'&$count=true");
    expect(filtered.json()['@odata.count']).toBe(1);
    expect(filtered.json().value[0].fileName).toBe('Second.ps1');
    expect((await list('', otherToken)).json().value).toEqual([]);
  });

  it('refuses a second file of the same name unless OverrideIfExists, and then replaces it', async () => {
    const again = await upload([{ name: 'File', fileName: 'COLLECT.sh', content: 'echo new' }]);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toMatch(/already exists.*OverrideIfExists/);
    const before = (await list("?$filter=fileName eq 'collect.sh'")).json().value[0];
    await new Promise((r) => setTimeout(r, 5));
    const replaced = await upload([{ name: 'OverrideIfExists', value: 'true' }, { name: 'File', fileName: 'collect.sh', content: 'echo new' }]);
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ fileName: 'collect.sh', sha256: sha256('echo new'), creationTime: before.creationTime, description: null });
    // compared as instants: the texts may differ in their number of fractional digits
    expect(Date.parse(replaced.json().lastUpdatedTime)).toBeGreaterThan(Date.parse(before.lastUpdatedTime));
    const dl = await h.app.inject({ method: 'GET', url: '/sensor/v1/library/collect.sh', headers: { authorization: `Device ${device.deviceId}:${device.deviceCredential}` } });
    expect(dl.body).toBe('echo new');
  });

  it('serves a file to a device of its tenant only', async () => {
    const auth = (d: typeof device) => ({ authorization: `Device ${d.deviceId}:${d.deviceCredential}` });
    const dl = await h.app.inject({ method: 'GET', url: '/sensor/v1/library/Second.ps1', headers: auth(device) });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/octet-stream');
    expect(dl.headers['x-sha256']).toBe(sha256('Write-Output 1'));
    expect(dl.body).toBe('Write-Output 1');
    const foreign = await h.app.inject({ method: 'GET', url: '/sensor/v1/library/Second.ps1', headers: auth(otherDevice) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('ResourceNotFound');
  });

  it('refuses a file over 20 MB with 413 and keeps nothing of it', async () => {
    const res = await upload([{ name: 'File', fileName: 'big.bin', content: Buffer.alloc(MAX_LIBRARY_FILE_BYTES + 1, 7) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PayloadTooLarge');
    expect((await list("?$filter=fileName eq 'big.bin'")).json().value).toEqual([]);
    const exactly = await upload([{ name: 'File', fileName: 'max.bin', content: Buffer.alloc(MAX_LIBRARY_FILE_BYTES, 7) }]);
    expect(exactly.statusCode, exactly.body).toBe(200);
  });

  it('answers bad uploads in MDE\'s error shape', async () => {
    const cases: [readonly FormPart[], number, string][] = [
      [[{ name: 'Description', value: 'no file' }], 400, 'MissingRequiredParameter'],
      [[{ name: 'File', fileName: `${'n'.repeat(300)}.sh`, content: 'x' }], 400, 'InvalidInput'],
      [[{ name: 'File', fileName: 'ok.sh', content: 'x' }, { name: 'OverrideIfExists', value: 'maybe' }], 400, 'InvalidRequestBody'],
      [[{ name: 'File', fileName: 'ok.sh', content: 'x' }, { name: 'Colour', value: 'red' }], 400, 'InvalidRequestBody'],
      [[{ name: 'Other', fileName: 'ok.sh', content: 'x' }], 400, 'InvalidRequestBody'],
    ];
    for (const [parts, status, code] of cases) {
      const res = await upload(parts);
      expect(res.statusCode, JSON.stringify(parts.map((p) => p.name)) + res.body).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    // a truncated body and a missing boundary are the client's mistakes: 400, never a 5xx or a hang
    const form = (contentType: string, body: string) => h.app.inject({ method: 'POST', url: '/api/libraryfiles', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: body });
    const truncated = await form('multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="File"; filename="cut.sh"\r\n\r\necho cut');
    const noBoundary = await form('multipart/form-data', '--b\r\nContent-Disposition: form-data; name="File"; filename="cut.sh"\r\n\r\nx\r\n--b--\r\n');
    for (const res of [truncated, noBoundary]) expect([res.statusCode, res.json().error.code]).toEqual([400, 'InvalidRequestBody']);
    const json = await h.app.inject({ method: 'POST', url: '/api/libraryfiles', headers: { authorization: `Bearer ${token}` }, payload: { File: 'x' } });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('UnsupportedMediaType');
    expect((await list("?$filter=fileName eq 'ok.sh'")).json().value).toEqual([]);
    const noPerm = await h.token(['Machine.LiveResponse']);
    const refused = await upload([{ name: 'File', fileName: 'ok.sh', content: 'x' }], noPerm);
    expect(refused.statusCode).toBe(403);
  });

  it('deletes a file (204), then answers 404 ResourceNotFound', async () => {
    const del = () => h.app.inject({ method: 'DELETE', url: '/api/libraryfiles/second.ps1', headers: { authorization: `Bearer ${token}` } });
    expect((await del()).statusCode).toBe(204);
    const again = await del();
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('ResourceNotFound');
    const dl = await h.app.inject({ method: 'GET', url: '/sensor/v1/library/Second.ps1', headers: { authorization: `Device ${device.deviceId}:${device.deviceCredential}` } });
    expect(dl.statusCode).toBe(404);
  });

  it('audits uploads and deletes, refusals included', async () => {
    const records = await h.state.audit.list(h.tenantId, 200);
    const mine = records.filter((r) => r.action.startsWith('library.'));
    expect(mine.some((r) => r.action === 'library.upload' && r.target === 'collect.sh' && r.result === 'success')).toBe(true);
    expect(mine.some((r) => r.action === 'library.upload' && r.target === 'big.bin' && r.result === 'failure')).toBe(true);
    expect(mine.some((r) => r.action === 'library.upload' && r.result === 'failure' && r.details?.includes('required permissions: Library.Manage'))).toBe(true);
    expect(mine.some((r) => r.action === 'library.delete' && r.target === 'second.ps1' && r.result === 'success')).toBe(true);
  });
});
