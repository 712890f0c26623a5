/**
 * Loads Microsoft's Kusto parser (@kusto/language-service-next), a Bridge.NET bundle that expects
 * its runtime (`bridge.js`) to be installed as a global before `Kusto.Language.Bridge.js` runs.
 * Both are CommonJS scripts, so they are loaded through `createRequire`, once, on first use.
 */
import { createRequire } from 'node:module';

/** The `Kusto.Language` namespace of the bundle (untyped: the bundle's .d.ts is global-script style). */
export type KustoLanguage = any;

let cached: { K: KustoLanguage; System: any; Bridge: any } | null = null;

/**
 * Returns the loaded `Kusto.Language` namespace plus the Bridge `System` and `Bridge` globals.
 * The first call loads the bundle (a few hundred ms); later calls return the same objects.
 */
export function kustoRuntime(): { K: KustoLanguage; System: any; Bridge: any } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const g = globalThis as any;
  if (!g.Bridge) require('@kusto/language-service-next/bridge.min.js');
  if (!g.Kusto?.Language?.KustoCode) require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  if (!g.Kusto?.Language?.KustoCode) throw new Error('Kusto.Language failed to load');
  cached = { K: g.Kusto.Language, System: g.System, Bridge: g.Bridge };
  return cached;
}
