/**
 * A status as a coloured badge with its text (colour is never the only cue): health, severity,
 * alert status, action status, risk.
 */

const TONES: Record<string, 'good' | 'bad' | 'warn' | 'info' | 'neutral'> = {
  active: 'good', succeeded: 'good', resolved: 'good', none: 'good', low: 'info', informational: 'info',
  inactive: 'neutral', cancelled: 'neutral', unknown: 'neutral', noSensorData: 'warn', impairedCommunication: 'warn',
  misconfigured: 'warn', medium: 'warn', pending: 'info', inprogress: 'info', new: 'info', timeout: 'warn',
  failed: 'bad', high: 'bad', critical: 'bad',
};

/** The tone of a status value (case-insensitive); neutral when unknown. */
export function toneOf(value: string | null | undefined): string {
  if (!value) return 'neutral';
  return TONES[value] ?? TONES[value.toLowerCase()] ?? TONES[value.charAt(0).toLowerCase() + value.slice(1)] ?? 'neutral';
}

/** A badge showing `value` (an empty value shows a dash). */
export function StatusBadge({ value, label }: { value: string | null | undefined; label?: string }) {
  return (
    <span className={`badge badge-${toneOf(value)}`} aria-label={label ? `${label}: ${value ?? 'none'}` : undefined}>
      {value || '—'}
    </span>
  );
}
