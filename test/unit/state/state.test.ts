import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { lockLab, readState, writeState, StateError, listStates } from '../../../src/state/state.js';

const dir = () => mkdtempSync(join(tmpdir(), 'nslab-state-'));

describe('state file', () => {
  it('round-trips and leaves no temp file behind', () => {
    const d = dir();
    const s = { version: 1 as const, lab: 'rb', prefix: 'x', key: 'xrb', resources: {} };
    writeState(d, s);
    expect(readState(d, 'xrb')).toEqual(s);
    expect(readdirSync(d)).toEqual(['xrb.state.json']);
    expect(listStates(d)).toEqual(['xrb']);
  });

  it('reads a missing state as "no state" and a corrupt one as an error, never as empty', () => {
    const d = dir();
    expect(readState(d, 'nope')).toBeUndefined();
    writeFileSync(join(d, 'bad.state.json'), '{"version":1,');
    expect(() => readState(d, 'bad')).toThrow(StateError);
    expect(() => readState(d, 'bad')).toThrow(/corrupt/);
  });
});

describe('lab lock', () => {
  it('refuses a second holder, naming the pid, and frees on release', async () => {
    const d = dir();
    const release = await lockLab(d, 'rb');
    await expect(lockLab(d, 'rb', 150)).rejects.toThrow(new RegExp(`lab rb is locked by pid ${process.pid} since `));
    release();
    const again = await lockLab(d, 'rb');
    again();
  });

  it('takes over a lock left by a dead process', async () => {
    const d = dir();
    const child = spawn('true');
    await new Promise((r) => child.on('exit', r));
    writeFileSync(join(d, 'rb.lock'), JSON.stringify({ pid: child.pid, since: '2020-01-01T00:00:00Z' }));
    const release = await lockLab(d, 'rb');
    expect(JSON.parse(readFileSync(join(d, 'rb.lock'), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('lets different labs lock at the same time', async () => {
    const d = dir();
    const a = await lockLab(d, 'a');
    const b = await lockLab(d, 'b');
    a();
    b();
  });
});
