/**
 * LiveResponse on this machine: PutFile from the library into the downloads folder, RunScript with
 * arguments (output, errors and exit code uploaded as MDE's JSON), the time limit, GetFile, and the
 * first failure ending the action.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveResponseHandler } from '../../src/sensor/actions/live-response.ts';
import type { WireAction } from '../../src/sensor/actions/handler.ts';
import { recordingContext } from './support/action-context.ts';

const dir = mkdtempSync(join(tmpdir(), 'pal-lr-'));
const library = join(dir, 'library');
mkdirSync(library);
writeFileSync(join(library, 'collect.sh'), '#!/bin/sh\necho "args:$#:$1|$2"\necho oops >&2\nexit 3\n');
writeFileSync(join(library, 'plain.sh'), 'echo plain $1\n');
writeFileSync(join(library, 'slow.sh'), '#!/bin/sh\nsleep 30\n');
writeFileSync(join(library, 'tool.bin'), 'payload');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lr = (commands: WireAction['commands']): WireAction => ({
  id: 'f2a1b4c3-1111-4222-8333-944455566677', type: 'LiveResponse', scope: null, comment: 'test', commands,
  createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});
const p = (key: string, value: string) => ({ key, value });

describe('LiveResponse', () => {
  it('runs PutFile, RunScript and GetFile in order, reporting each command', async () => {
    const stateDir = join(dir, 'state1');
    const target = join(dir, 'evidence.txt');
    writeFileSync(target, 'evidence');
    const { ctx, seen } = recordingContext({ stateDir, uploadDir: join(dir, 'up1'), libraryDir: library });
    const r = await liveResponseHandler().run(lr([
      { index: 0, type: 'PutFile', params: [p('FileName', 'tool.bin')] },
      { index: 1, type: 'RunScript', params: [p('ScriptName', 'collect.sh'), p('Args', `'a b' "c\\"d"`)] },
      { index: 2, type: 'RunScript', params: [p('ScriptName', 'plain.sh'), p('Args', 'x')] },
      { index: 3, type: 'GetFile', params: [p('Path', target)] },
    ]), ctx);
    expect(r).toEqual({ status: 'Succeeded', message: '4 commands completed' });
    expect(readFileSync(join(stateDir, 'downloads', 'tool.bin'), 'utf8')).toBe('payload');
    expect(JSON.parse(readFileSync(seen.uploads.get(1)!, 'utf8'))).toEqual({ script_name: 'collect.sh', exit_code: 3, script_output: 'args:2:a b|c"d\n', script_errors: 'oops\n' });
    expect(JSON.parse(readFileSync(seen.uploads.get(2)!, 'utf8'))).toMatchObject({ script_name: 'plain.sh', exit_code: 0, script_output: 'plain x\n' });
    expect(readFileSync(seen.uploads.get(3)!, 'utf8')).toBe('evidence');
    expect(seen.reports).toEqual([0, 1, 2, 3].flatMap((i) => [
      { status: 'InProgress', commandIndex: i },
      { status: 'InProgress', commandIndex: i, commandStatus: 'Completed', errors: undefined },
    ]));
  });

  it('stops a script at its time limit and ends the action at the first failure', async () => {
    const { ctx, seen } = recordingContext({ stateDir: join(dir, 'state2'), uploadDir: join(dir, 'up2'), libraryDir: library });
    const r = await liveResponseHandler({ scriptTimeoutMs: 500 }).run(lr([
      { index: 0, type: 'RunScript', params: [p('ScriptName', 'slow.sh')] },
      { index: 1, type: 'GetFile', params: [p('Path', '/etc/hostname')] },
    ]), ctx);
    expect(r.status).toBe('Failed');
    expect(r.message).toContain('Command 0 (RunScript) failed: The script ran longer than 1 s');
    expect(seen.reports.at(-1)).toMatchObject({ commandIndex: 0, commandStatus: 'Failed' });
    expect(seen.reports.some((x) => x.commandIndex === 1)).toBe(false);
    expect(JSON.parse(readFileSync(seen.uploads.get(0)!, 'utf8'))).toMatchObject({ script_name: 'slow.sh', exit_code: -1 });
  });

  it('refuses a GetFile of something not a regular file and a library name with folders', async () => {
    const { ctx } = recordingContext({ stateDir: join(dir, 'state3'), uploadDir: join(dir, 'up3'), libraryDir: library });
    const r1 = await liveResponseHandler().run(lr([{ index: 0, type: 'GetFile', params: [p('Path', '/etc')] }]), ctx);
    expect(r1.message).toContain('/etc is not a regular file');
    const r2 = await liveResponseHandler().run(lr([{ index: 0, type: 'PutFile', params: [p('FileName', '../x')] }]), ctx);
    expect(r2.message).toContain('"../x" is not a plain file name');
  });

  it('stops when the server answers that the action was cancelled', async () => {
    const { ctx, seen } = recordingContext({ stateDir: join(dir, 'state4'), uploadDir: join(dir, 'up4'), libraryDir: library, answer: () => 'Cancelled' });
    const r = await liveResponseHandler().run(lr([{ index: 0, type: 'PutFile', params: [p('FileName', 'tool.bin')] }]), ctx);
    expect(r).toEqual({ status: 'Failed', message: 'The action was cancelled' });
    expect(seen.reports).toHaveLength(1);
  });

});
