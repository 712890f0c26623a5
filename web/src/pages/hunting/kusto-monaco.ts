/**
 * Monaco with the Kusto language of @kusto/monaco-kusto, set up once for the hunting editor: the
 * editor and Kusto workers, the language settings, and Palisade's tables (the schema generated from
 * src/schema) for completion and diagnostics. Loaded on demand, so only the hunting page pays for it.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import 'monaco-editor/esm/vs/editor/editor.all';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { getKustoWorker, kustoDefaults, type Database, type EngineSchema } from '@kusto/monaco-kusto';
import KustoWorker from './kusto-worker.ts?worker';
import database from './kusto-schema.generated.json';

export type Monaco = typeof monaco;

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'kusto' ? new KustoWorker() : new EditorWorker()),
};

kustoDefaults.setLanguageSettings({
  ...kustoDefaults.languageSettings,
  includeControlCommands: false,
  enableHover: true,
  newlineAfterPipe: true,
  useIntellisenseV2: true,
});

/** The schema the language service checks queries against: Palisade's tables in one database. */
export const HUNTING_SCHEMA: EngineSchema = {
  clusterType: 'Engine',
  cluster: { connectionString: 'palisade', databases: [database as unknown as Database] },
  database: database as unknown as Database,
};

/** Gives the language service the hunting schema for `model` (the worker keeps one schema for all models). */
export async function applyHuntingSchema(model: monaco.editor.ITextModel): Promise<void> {
  const worker = await getKustoWorker();
  const accessor = await worker(model.uri);
  await accessor.setSchema(HUNTING_SCHEMA);
}

export { monaco };
