/**
 * A modal dialog asking to confirm an operation with a comment (MDE's actions and bulk changes carry
 * one). The native <dialog> keeps focus inside and closes on Escape.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

/** The props of a ConfirmDialog; `open` shows it, `onClose` is called with the comment or null (cancelled). */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  defaultComment?: string;
  danger?: boolean;
  children?: ReactNode;
  onClose: (comment: string | null) => void;
}

/** Asks for a comment and a confirmation. */
export function ConfirmDialog({ open, title, confirmLabel, defaultComment = '', danger, children, onClose }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [comment, setComment] = useState(defaultComment);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setComment(defaultComment);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open, defaultComment]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (comment.trim()) onClose(comment.trim());
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); onClose(null); }}>
      <form onSubmit={submit}>
        <h2 id="confirm-title">{title}</h2>
        {children}
        <label>
          <span>Comment</span>
          <textarea value={comment} onChange={(e) => setComment(e.target.value)} required rows={3} maxLength={1000} />
        </label>
        <div className="row">
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={!comment.trim()}>{confirmLabel}</button>
          <button type="button" onClick={() => onClose(null)}>Cancel</button>
        </div>
      </form>
    </dialog>
  );
}
