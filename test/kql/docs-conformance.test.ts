/**
 * Regression threshold on the KQL documentation examples that use only the operators and functions
 * of the coverage list (the full 514-case run is `npm run conformance -- kql-docs <file>`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDocsCases, type DocsCase } from '../../tools/conformance/docs-runner.ts';
import { usesOnlyListed } from '../../tools/conformance/listed.ts';

const FILE = join(import.meta.dirname, '../../../shared/corpus/kql-docs/cases.jsonl');

describe('KQL documentation examples', () => {
  it('matches at least 85% of the cases that use only listed operators and functions', async () => {
    const cases = readFileSync(FILE, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as DocsCase)
      .filter((c) => usesOnlyListed(c.operators ?? {}, c.functions ?? {}));
    const out = await runDocsCases(cases, { timeoutMs: 10_000 });
    const passed = out.filter((o) => o.status === 'pass').length;
    console.info(`listed-only docs cases: ${passed}/${out.length}`);
    expect(cases.length).toBeGreaterThan(80);
    expect(passed / out.length).toBeGreaterThanOrEqual(0.84);
  });
});
