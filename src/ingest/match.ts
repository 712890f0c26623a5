/**
 * The match step: each line's row against the tenant's active indicators, from the snapshot (by
 * version) in the step context (src/detect/indicator-matcher.ts). The line always goes on; the hits
 * that raise alerts ride on it to the batch (ProcessedBatch.matches), whose alerts are raised after
 * the batch is committed. Without a snapshot (no indicators, or a server-written row) it does nothing.
 */
import { matcherOf, type IndicatorMatcher } from '../detect/indicator-matcher.ts';
import type { TableDecl } from '../schema/types.ts';
import { ok, type StepResult } from './step.ts';
import type { StepContext } from './process-body.ts';
import type { ValidLine } from './validate-line.ts';

const columnSets = new WeakMap<TableDecl, ReadonlySet<string>>();

function columnsOf(t: TableDecl): ReadonlySet<string> {
  let s = columnSets.get(t);
  if (!s) columnSets.set(t, (s = new Set(t.columns.map((c) => c.name))));
  return s;
}

/** What a batch's lines share: its matcher and clock, worked out on its first line. */
const perBatch = new WeakMap<StepContext, { matcher: IndicatorMatcher; nowMs: number }>();

/** Attaches the indicator hits of the line's row (if any) to the line. */
export function matchLine(v: ValidLine, ctx: StepContext): StepResult<ValidLine> {
  const snapshot = ctx.indicators;
  if (!snapshot || snapshot.count === 0) return ok(v);
  let b = perBatch.get(ctx);
  if (!b) perBatch.set(ctx, (b = { matcher: matcherOf(snapshot), nowMs: Number(ctx.nowMicros / 1000n) }));
  const hits = b.matcher.match(v.table.name, columnsOf(v.table), v.row, ctx.identity.rbacGroupId, b.nowMs);
  if (hits.length) v.hits = [...hits];
  return ok(v);
}
