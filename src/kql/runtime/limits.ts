/**
 * Bounds on what engine functions (src/kql/runtime) may produce. An engine function runs on the
 * JavaScript thread that serves every request, so a value it makes must stay small enough to make
 * quickly and to hold in memory: a 64 KiB gzip member may inflate to gigabytes.
 */

/** Largest text a decompressing function returns: 16 MiB of UTF-8. */
export const MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

/**
 * Most characters of text all engine-function results of one batch of rows may hold together (the
 * engine hands rows over in batches of up to a few thousand): 64 Mi characters.
 */
export const MAX_BATCH_OUTPUT_CHARS = 64 * 1024 * 1024;

/** An engine function refused to go beyond one of these bounds; the query fails with this message. */
export class EngineLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineLimitError';
  }
}
