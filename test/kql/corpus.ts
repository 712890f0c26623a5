/**
 * The public hunting-query corpus (../shared/corpus/hunting) as used by the KQL tests: selections,
 * and a classification of compile failures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../../src/schema/registry.ts';
import { analyzeKql } from '../../src/kql/parse/semantic-check.ts';

const DIR = join(import.meta.dirname, '../../../shared/corpus/hunting');

/** One corpus query. */
export interface CorpusQuery {
  name: string;
  query: string;
  tables: string[];
  dialect?: string;
  parses_clean?: boolean;
}

/** One query a real MDE client generates (no `tables`, no `parses_clean` in these files). */
export interface ClientQuery {
  name: string;
  query: string;
  /** The client that generates it. */
  client: 'msticpy' | 'demisto';
}

function load<T>(file: string): T[] {
  return readFileSync(join(DIR, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

const known = new Set(TABLES.map((t) => t.name));

/** Defender-dialect, cleanly parsing queries whose listed tables all exist in the registry. */
export function defenderQueries(): { main: CorpusQuery[]; external: CorpusQuery[] } {
  const sel = load<CorpusQuery>('queries.jsonl').filter((r) => r.dialect === 'defender' && r.parses_clean && r.tables.every((t) => known.has(t)));
  const isExternal = (r: CorpusQuery) => /\bexternaldata\b/i.test(r.query) || /invoke\s+FileProfile/i.test(r.query);
  return { main: sel.filter((r) => !isExternal(r)), external: sel.filter(isExternal) };
}

/** The 134 queries real MDE clients generate (msticpy and demisto). */
export function clientQueries(): ClientQuery[] {
  const from = (client: ClientQuery['client']) =>
    load<{ name: string; query: string }>(`client-queries-${client}.jsonl`).map((r) => ({ name: r.name, query: r.query, client }));
  return [...from('msticpy'), ...from('demisto')];
}

/**
 * Why Kusto itself rejects a query against Palisade's tables — the first Error of Microsoft's parser
 * and analyzer, as `syntax: message` or `semantic: message` — or null when the query parses cleanly.
 */
export function kustoRejection(query: string): string | null {
  const [first] = analyzeKql(query).errors;
  return first ? `${first.kind}: ${first.message}` : null;
}

/**
 * Why a query failed to compile: `schema` (a table the registry does not declare), `query` (an
 * error in the query itself that Kusto reports too: unknown names, nothing to return, syntax,
 * malformed literals) or `unsupported` (a construct Palisade refuses by name).
 */
export function classifyFailure(message: string): 'schema' | 'query' | 'unsupported' {
  const table = /Failed to resolve table or column expression named '([^']+)'/.exec(message);
  if (table && !known.has(table[1])) return 'schema';
  if (/is not supported/.test(message)) return 'unsupported';
  if (/^Failed to resolve|has no tabular expression|^Syntax error|invalid (datetime|timespan) literal/.test(message)) return 'query';
  return 'unsupported';
}
