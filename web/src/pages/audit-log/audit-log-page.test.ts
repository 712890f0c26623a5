import { describe, expect, it } from 'vitest';
import { auditFilter } from './audit-log-page.tsx';

describe('auditFilter', () => {
  it('joins the filled-in filters, quoting text once', () => {
    expect(auditFilter({ actor: "o'brien", action: 'alert.', target: '', result: 'failure', since: '2026-12-01' }))
      .toBe("startswith(actorName,'o''brien') and startswith(action,'alert.') and result eq 'failure' and time ge 2026-12-01T00:00:00.000Z");
  });

  it('leaves out empty filters and a date it cannot read', () => {
    expect(auditFilter({ actor: '', action: '', target: 'abc', result: '', since: 'yesterday' })).toBe("target eq 'abc'");
    expect(auditFilter({})).toBeUndefined();
  });
});
