/**
 * The hunting query editor: Monaco with the Kusto language over Palisade's tables (completion,
 * syntax and schema diagnostics from the language service), the engine's own errors shown as
 * markers, and Ctrl+Enter / Shift+Enter to run. Monaco is loaded when the editor first mounts.
 */
import { useEffect, useRef, useState } from 'react';
import type { QueryMarker } from './query-error.ts';
import type { editor as MonacoEditor } from 'monaco-editor/esm/vs/editor/editor.api';
import type { Monaco } from './kusto-monaco.ts';

/** What the editor shows and reports. */
export interface KustoEditorProps {
  /** The query text the editor starts with. */
  initialValue: string;
  /** Called with the text on every change. */
  onChange: (text: string) => void;
  /** Called on Ctrl+Enter or Shift+Enter. */
  onRun: () => void;
  /** The engine's errors of the last run, shown as markers of their own (cleared on the next change). */
  markers: readonly QueryMarker[];
  /** Accessible name of the editing area. */
  label: string;
  /** A text the page sets into the editor (e.g. a saved query opened); each new object replaces the text once. */
  replace?: { text: string } | null;
}

const OWNER = 'palisade-engine';

/** The Monaco-based Kusto editor. */
export function KustoEditor({ initialValue, onChange, onRun, markers, label, replace }: KustoEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<MonacoEditor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<Monaco | null>(null);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    let disposed = false;
    let dispose = () => {};
    import('./kusto-monaco.ts').then(async ({ monaco, applyHuntingSchema }) => {
      if (disposed || !host.current) return;
      const editor = monaco.editor.create(host.current, {
        value: initialValue,
        language: 'kusto',
        theme: 'kusto-light',
        ariaLabel: label,
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13,
        lineNumbersMinChars: 3,
        fixedOverflowWidgets: true,
        accessibilitySupport: 'auto',
      });
      monacoRef.current = monaco;
      editorRef.current = editor;
      const run = () => callbacks.current.onRun();
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, run);
      editor.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, run);
      const sub = editor.onDidChangeModelContent(() => {
        const model = editor.getModel();
        if (model) monaco.editor.setModelMarkers(model, OWNER, []);
        callbacks.current.onChange(editor.getValue());
      });
      dispose = () => { sub.dispose(); editor.getModel()?.dispose(); editor.dispose(); };
      const model = editor.getModel();
      if (model) await applyHuntingSchema(model);
      if (!disposed) setState('ready');
    }).catch(() => { if (!disposed) setState('failed'); });
    return () => { disposed = true; dispose(); };
    // the editor is created once; later props reach it through refs and the effects below
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    const monaco = monacoRef.current;
    const model = editor?.getModel();
    if (!monaco || !model) return;
    monaco.editor.setModelMarkers(model, OWNER, markers.map((m) => ({ ...m, severity: monaco.MarkerSeverity.Error })));
    if (markers.length) editor!.revealLineInCenterIfOutsideViewport(markers[0].startLineNumber);
  }, [markers, state]);

  useEffect(() => {
    const editor = editorRef.current;
    if (replace && editor) {
      editor.setValue(replace.text);
      editor.focus();
    }
  }, [replace, state]);

  return (
    <div className="kusto-editor">
      <div ref={host} className="kusto-editor-host" data-state={state} />
      {state === 'loading' && <p role="status">Loading the query editor…</p>}
      {state === 'failed' && <p role="alert">The query editor could not be loaded.</p>}
      <p className="hint" id="kusto-editor-keys">Ctrl+Enter runs the query. Ctrl+Space lists tables, columns and functions. Ctrl+M makes Tab move the focus out of the editor.</p>
    </div>
  );
}
