import { defineConfig } from 'vitest/config';

/**
 * Test files that run a real `palisade sensor` with its process collector on this host. A host runs
 * one sensor, and its measurements (the catch rate of 1,000 short-lived processes) are of one
 * sensor on its host, not of two sensors or of one beside the whole parallel suite on two cores.
 * These files therefore run one at a time after every other file has finished.
 */
const HOST_SENSOR_FILES = ['test/sensor/sensor-runtime.test.ts', 'test/sensor/actions-e2e.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: HOST_SENSOR_FILES,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'host-sensor',
          include: HOST_SENSOR_FILES,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
