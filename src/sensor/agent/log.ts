/** The sensor's log: what its runtime, collectors and action handlers write to. */

/** Structured log lines at three levels. */
export interface SensorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A log writing one JSON object per line to a stream (stderr by default), from `level` up. */
export function jsonLog(level: 'info' | 'warn' | 'error' = 'info', out: NodeJS.WritableStream = process.stderr): SensorLog {
  const rank = { info: 0, warn: 1, error: 2 } as const;
  const write = (l: keyof typeof rank) => (message: string, fields?: Record<string, unknown>) => {
    if (rank[l] < rank[level]) return;
    out.write(JSON.stringify({ time: new Date().toISOString(), level: l, msg: message, ...fields }) + '\n');
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
