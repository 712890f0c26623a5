import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionHandler } from '../actions/handler.ts';
import type { SensorClient } from '../transport/client.ts';
import type { ProgressReport, WireAction } from '../transport/protocol.ts';
import { Dispatcher } from './dispatcher.ts';
import { IndicatorStore } from './indicator-store.ts';
import { StateDir } from './state-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const action = (type: WireAction['type'], id = '11111111-2222-4333-8444-555555555555'): WireAction => ({
  id, type, scope: null, comment: 'test', createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-04T00:00:00Z',
});

/** A client that records progress reports and answers each with the status `answer` gives. */
function recordingClient(answer: (r: ProgressReport, n: number) => string = (r) => r.status) {
  const reports: { id: string; report: ProgressReport }[] = [];
  const client = {
    reportProgress: async (id: string, report: ProgressReport) => {
      reports.push({ id, report });
      return { status: answer(report, reports.length) };
    },
  } as unknown as SensorClient;
  return { client, reports };
}

function dispatcher(client: SensorClient, handlers: ActionHandler[], onOffboard = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dispatcher-test-'));
  dirs.push(dir);
  const state = new StateDir(dir).ensure();
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  return new Dispatcher({ client, handlers, indicators: new IndicatorStore(state), emit: () => {}, serverAddress: { host: '127.0.0.1', port: 1 }, stateDir: dir, log: quiet, onOffboard });
}

describe('Dispatcher', () => {
  it('acknowledges, runs the handler once however often the action is delivered, and reports its result', async () => {
    const { client, reports } = recordingClient();
    let runs = 0;
    const d = dispatcher(client, [{ type: 'RunAntiVirusScan', run: async () => { runs++; return { status: 'Succeeded', message: 'clean' }; } }]);
    await d.accept(action('RunAntiVirusScan'));
    await d.accept(action('RunAntiVirusScan'));
    await d.idle();
    await d.accept(action('RunAntiVirusScan'));
    expect(runs).toBe(1);
    expect(reports.map((r) => r.report)).toEqual([{ status: 'InProgress' }, { status: 'Succeeded', message: 'clean' }]);
  });

  it('reports a thrown error as Failed and an action type without a handler as Failed', async () => {
    const { client, reports } = recordingClient();
    const d = dispatcher(client, [{ type: 'Isolate', run: async () => { throw new Error('nft is missing'); } }]);
    await d.accept(action('Isolate', 'aaaaaaaa-2222-4333-8444-555555555555'));
    await d.accept(action('Offboard', 'bbbbbbbb-2222-4333-8444-555555555555'));
    await d.idle();
    expect(reports).toEqual([
      { id: 'aaaaaaaa-2222-4333-8444-555555555555', report: { status: 'InProgress' } },
      { id: 'bbbbbbbb-2222-4333-8444-555555555555', report: { status: 'Failed', message: 'This sensor cannot carry out Offboard actions' } },
      { id: 'aaaaaaaa-2222-4333-8444-555555555555', report: { status: 'Failed', message: 'nft is missing' } },
    ]);
  });

  it('aborts the handler when the server answers Cancelled, and reports nothing after', async () => {
    // the acknowledgement is accepted; the handler's own progress report is answered Cancelled
    const { client, reports } = recordingClient((r, n) => (n === 1 ? 'InProgress' : 'Cancelled'));
    let aborted = false;
    const d = dispatcher(client, [{
      type: 'LiveResponse',
      run: async (_a, ctx) => {
        await ctx.report({ status: 'InProgress', commandIndex: 0 });
        aborted = ctx.signal.aborted;
        return { status: 'Succeeded' };
      },
    }]);
    await d.accept(action('LiveResponse'));
    await d.idle();
    expect(aborted).toBe(true);
    expect(reports).toHaveLength(2);
  });

  it('does not start an action the server already ended, and calls onOffboard after an accepted offboard', async () => {
    const ended = recordingClient(() => 'TimeOut');
    let runs = 0;
    const d1 = dispatcher(ended.client, [{ type: 'Isolate', run: async () => { runs++; return { status: 'Succeeded' }; } }]);
    await d1.accept(action('Isolate'));
    await d1.idle();
    expect(runs).toBe(0);

    const { client } = recordingClient();
    let offboarded = 0;
    const d2 = dispatcher(client, [{ type: 'Offboard', run: async () => ({ status: 'Succeeded', offboard: true }) }], () => offboarded++);
    await d2.accept(action('Offboard'));
    await d2.idle();
    expect(offboarded).toBe(1);
  });
});
