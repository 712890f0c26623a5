/**
 * Toasts: short messages about what just happened (an action sent, a failure), announced to screen
 * readers through a live region, dismissable, gone after 6 s (errors stay until dismissed).
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** How a toast looks and whether it stays. */
export type ToastKind = 'success' | 'error' | 'info';

interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

type Show = (text: string, kind?: ToastKind) => void;

const ToastContext = createContext<Show>(() => {});

/** Shows a toast: `useToast()('Isolation requested', 'success')`. */
export function useToast(): Show {
  return useContext(ToastContext);
}

/** The message of an error for a toast. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Holds the toasts of the page below it. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const show = useCallback<Show>((text, kind = 'info') => {
    const id = Date.now() + Math.random();
    setToasts((ts) => [...ts.slice(-4), { id, kind, text }]);
    if (kind !== 'error') setTimeout(() => dismiss(id), 6_000);
  }, [dismiss]);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
            <span>{t.text}</span>
            <button type="button" className="link" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>×</button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
