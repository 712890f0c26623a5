/**
 * The Kusto language worker of the hunting editor (completion, diagnostics, hovers), bundled by
 * Vite as a worker of its own. `worker-global.ts` must be evaluated before the language service.
 */
import './worker-global.ts';
import '@kusto/monaco-kusto/release/esm/kusto.worker';
