/**
 * The audit trail of mutating use cases (DESIGN.md §5): who (the context's principal), what (an
 * action name), which target, and the result. A success is recorded in the same transaction as
 * the change; a failure is recorded after the rollback, and the original error is rethrown.
 */
import type { Ctx } from '../domain/context.ts';
import type { Repos, StateStore } from '../domain/ports.ts';
import type { AuditRecord } from '../domain/tenant.ts';

/** One audit record of `ctx`'s principal. */
export function auditRecord(ctx: Ctx, time: Date, action: string, target: string, result: AuditRecord['result'], details: string | null = null): AuditRecord {
  return { tenantId: ctx.tenantId, time: time.toISOString(), actorKind: ctx.principal.kind, actorId: ctx.principal.id, actorName: ctx.principal.name, action, target, result, details };
}

/** Runs a mutation in one transaction and audits it, success or failure. */
export async function audited<T>(
  store: StateStore, ctx: Ctx, clock: () => Date, action: string, target: string,
  fn: (repos: Repos) => Promise<T>, details: string | null = null,
): Promise<T> {
  try {
    return await store.tx(async (r) => {
      const out = await fn(r);
      await r.audit.append(auditRecord(ctx, clock(), action, target, 'success', details));
      return out;
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const failure = auditRecord(ctx, clock(), action, target, 'failure', JSON.stringify({ ...(details ? { details } : {}), error: why.slice(0, 500) }));
    // a store that cannot record the failure has failed the call already: the caller sees the first error
    await store.audit.append(failure).catch(() => undefined);
    throw e;
  }
}
