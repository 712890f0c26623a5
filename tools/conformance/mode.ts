/** The score every conformance mode returns (tools/conformance.ts turns it into a gate). */

/** Passed and failed cases (those not counted either way are left out), and problems outside the ratio. */
export interface ModeResult {
  passed: number;
  failed: number;
  /** Failures of the run as a whole (e.g. a stale allow-list entry); any makes a gate fail. */
  problems: string[];
}
