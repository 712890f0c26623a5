/**
 * Advanced hunting from the console: a KQL query through `POST /api/advancedqueries/run`, its rows
 * as objects keyed by column. The dashboard aggregates on the server this way instead of loading
 * every alert; the hunting page runs what the person writes.
 */
import type { ApiClient } from './client.ts';

/** A result column: its name and .NET type name (String, Int64, Int32, Double, Boolean, DateTime, TimeSpan, Guid, Object, …). */
export interface HuntingColumn {
  Name: string;
  Type: string;
}

/** A result row, keyed by column name. */
export type HuntingRow = Record<string, unknown>;

/** The answer of a hunting query. */
export interface HuntingResult {
  Schema: HuntingColumn[];
  Results: HuntingRow[];
}

/** Runs `query` as the signed-in user (their device groups apply on the server); `signal` cancels it (the server stops the query). */
export function runHunting(api: ApiClient, query: string, signal?: AbortSignal): Promise<HuntingResult> {
  return api.request<HuntingResult>('POST', '/api/advancedqueries/run', { Query: query }, { signal });
}
