/**
 * Registers the KQL engine functions (src/kql/runtime/functions.ts) on a DuckDB connection as scalar
 * functions. DuckDB calls them on the JavaScript thread, a chunk of rows at a time; they see nulls
 * themselves, and their results are null for bad input rather than errors. The text one chunk's
 * results hold together is bounded (MAX_BATCH_OUTPUT_CHARS): beyond it the query fails with a clear
 * error instead of filling the memory of the process and holding the event loop.
 */
import { DOUBLE, DuckDBScalarFunction, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { CONTEXTUAL_ENGINE_FUNCTIONS, ENGINE_FUNCTIONS, type EngineContext, type EngineFunction, type EngineType } from '../../../kql/runtime/functions.ts';
import { EngineLimitError, MAX_BATCH_OUTPUT_CHARS } from '../../../kql/runtime/limits.ts';

const TYPES: Record<EngineType, DuckDBType> = { real: DOUBLE, int: INTEGER, string: VARCHAR };

/** Registers every engine function on `conn`, and those of CONTEXTUAL_ENGINE_FUNCTIONS that `ctx` makes available. */
export function registerEngineFunctions(conn: DuckDBConnection, ctx: EngineContext = { geoIp: null }): void {
  const all: EngineFunction[] = [
    ...ENGINE_FUNCTIONS,
    ...CONTEXTUAL_ENGINE_FUNCTIONS.filter((f) => f.available(ctx)).map((f) => ({ ...f, impl: f.impl(ctx) })),
  ];
  for (const f of all) {
    conn.registerScalarFunction(DuckDBScalarFunction.create({
      name: f.sqlName,
      parameterTypes: f.params.map((t) => TYPES[t]),
      returnType: TYPES[f.returns],
      specialHandling: true,
      mainFunction: (_info, input, output) => {
        const columns = f.params.map((_, i) => input.getColumnVector(i));
        let chars = 0;
        for (let row = 0; row < input.rowCount; row++) {
          const args = columns.map((c) => {
            const v = c.getItem(row);
            return typeof v === 'number' || typeof v === 'string' ? v : null;
          });
          const out = f.impl(...args);
          if (typeof out === 'string' && (chars += out.length) > MAX_BATCH_OUTPUT_CHARS) {
            throw new EngineLimitError(`${f.sqlName.replace(/^kql_/, '')}(): the results of ${input.rowCount} rows exceed ${MAX_BATCH_OUTPUT_CHARS / 1024 / 1024} Mi characters`);
          }
          output.setItem(row, out);
        }
        output.flush();
      },
    }));
  }
}
