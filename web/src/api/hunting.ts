/**
 * Advanced hunting from the console: a KQL query through `POST /api/advancedqueries/run`, its rows
 * as objects keyed by column. The dashboard aggregates on the server this way instead of loading
 * every alert.
 */
import type { ApiClient } from './client.ts';

/** The answer of a hunting query. */
export interface HuntingResult {
  Schema: { Name: string; Type: string }[];
  Results: Record<string, unknown>[];
}

/** Runs `query` as the signed-in user (their device groups apply on the server). */
export function runHunting(api: ApiClient, query: string): Promise<HuntingResult> {
  return api.post<HuntingResult>('/api/advancedqueries/run', { Query: query });
}
