/**
 * Progress of a long operation: a labelled progress bar (determinate when the total is known) with
 * a line of text saying where it is.
 */

/** Shows `done` of `total` (indeterminate when total is null). */
export function Progress({ label, done, total, text }: { label: string; done: number; total: number | null; text?: string }) {
  return (
    <div className="progress">
      <progress aria-label={label} value={total === null ? undefined : done} max={total ?? undefined} />
      <span className="muted">{text ?? (total === null ? `${label}…` : `${done} of ${total}`)}</span>
    </div>
  );
}
