import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { actionRequest } from './actions.ts';
import { alertRequest } from './alerts.ts';
import { consoleRequest } from './console.ts';
import { detectionRuleRequest } from './detection-rule.ts';
import { entityRequest } from './entities.ts';
import { mutateKql } from './kql.ts';
import { odataUrl } from './odata.ts';
import { Rng } from './rng.ts';
import { sensorBatch } from './sensor.ts';
import { savedQueryRequest } from './saved-queries.ts';
import { settingsRequest } from './settings.ts';

const NOW = Date.UTC(2024, 4, 1);
const QUERIES = ['DeviceProcessEvents | where Timestamp > ago(7d) | where FileName == "cmd.exe" | take 10', 'DeviceInfo | summarize count() by OSPlatform'];

describe('fuzz inputs', () => {
  it('are the same for the same seed and differ between seeds', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return [mutateKql(r, QUERIES), odataUrl(r), sensorBatch(r, 1, NOW).body.toString('base64'), JSON.stringify(detectionRuleRequest(r, QUERIES, 'rule-1')), entityRequest(r, NOW).url, JSON.stringify(alertRequest(r, ['da1_1'])), JSON.stringify(actionRequest(r, ['ab'.repeat(20)], ['7c1d2b6e-0000-4000-8000-000000000000'])), consoleRequest(r).url];
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('make settings requests that are the same for a seed, under /api/settings or /api/auditlogs, a body on every POST and PATCH', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 200 }, (_, i) => settingsRequest(r, i));
    };
    expect(JSON.stringify(draw(4))).toEqual(JSON.stringify(draw(4)));
    for (const a of draw(9)) {
      expect(a.url).toMatch(/^\/api\/(settings\/(roles|devicegroups|users|apps|identityproviders)|auditlogs)/);
      if (a.method === 'POST' || a.method === 'PATCH') expect(a.payload).not.toBeUndefined();
    }
  });

  it('make saved-query requests that are the same for a seed, under /api/advancedqueries/saved, a body on every POST and PATCH', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 200 }, (_, i) => savedQueryRequest(r, i, ['q-1', 'q-2']));
    };
    expect(JSON.stringify(draw(4))).toEqual(JSON.stringify(draw(4)));
    const all = draw(9);
    for (const a of all) {
      expect(a.url).toMatch(/^\/api\/advancedqueries\/saved(\/|$)/);
      if (a.method === 'POST' || a.method === 'PATCH') expect(a.payload).not.toBeUndefined();
    }
    expect(new Set(all.map((a) => a.method))).toEqual(new Set(['GET', 'POST', 'PATCH', 'DELETE']));
    expect(all.some((a) => a.url.endsWith('/q-1'))).toBe(true);
  });

  it('make alert requests with URL-safe paths and queries, and a body on every PATCH and POST', () => {
    const r = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const a = alertRequest(r, ['da639319824001230000_1']);
      expect(a.url).toMatch(/^\/api\/(alerts|incidents|machines)[\x21-\x7e]*$/);
      if (a.method !== 'GET') expect(a.payload).toBeTypeOf('object');
    }
  });

  it('make machine action requests with URL-safe paths, a body on every POST, and never a long /work hold', () => {
    const r = new Rng(7);
    for (let i = 0; i < 500; i++) {
      const a = actionRequest(r, ['ab'.repeat(20)], ['7c1d2b6e-0000-4000-8000-000000000000']);
      expect(a.url).toMatch(/^\/(api\/(machines|machineactions)|sensor\/v1\/(work|actions))[\x21-\x7e]*$/);
      if (a.method === 'POST') expect(a.payload).not.toBeUndefined();
      const wait = /[?&]wait=([^&]*)/.exec(a.url)?.[1];
      if (wait !== undefined && /^\d+$/.test(wait) && Number(wait) <= 55) expect(Number(wait)).toBe(0);
    }
  });

  it('make well-formed requests: URL-safe OData options and NDJSON (or gzip of it) batches', () => {
    const r = new Rng(11);
    for (let i = 0; i < 200; i++) {
      expect(odataUrl(r)).toMatch(/^\/api\/machines(\?[\x21-\x7e]*)?$/);
      const b = sensorBatch(r, i, NOW);
      if (b.gzip) {
        try {
          expect(gunzipSync(b.body).length).toBeGreaterThan(0);
        } catch {
          // a cut gzip stream is one of the mutations
        }
      } else {
        expect(b.body.length).toBeGreaterThan(0);
      }
      expect(typeof mutateKql(r, QUERIES)).toBe('string');
      const rule = detectionRuleRequest(r, QUERIES, 'rule-1');
      expect(rule.url).toMatch(/^\/api\/detectionrules(\/[\x21-\x7e]+)?$/);
      if (rule.method === 'POST' || rule.method === 'PATCH') expect(rule.payload).not.toBeUndefined();
      expect(entityRequest(r, NOW).url).toMatch(/^\/(api|v1\.0\/security)\/[\x21-\x7e]+$/);
    }
  });
});
