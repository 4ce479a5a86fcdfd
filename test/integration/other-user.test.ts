/**
 * Another local user prepares the directories nslab (as root) would write to: a test run root, a
 * state store, a lab bundle cache. nslab refuses each with one line saying why, and changes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLab } from '../../src/testing/index.js';
import { NetNamespace } from '../../constructs/index.js';
import { describeKernel, namespacesWith, randomPrefix } from '../support/kernel.js';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const RED_BLUE = new URL('../../examples/red-blue.ts', import.meta.url).pathname;
const NOBODY = 65534;

/** Runs `argv` as uid/gid 65534 with no supplementary groups: the other local user. */
const asNobody = (...argv: string[]) => execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--', ...argv], { stdio: 'pipe' });

describeKernel('another local user preparing nslab\'s directories', () => {
  // A shared, sticky, world-writable parent, as /tmp is.
  const shared = mkdtempSync(join(tmpdir(), 'nslab-shared-'));
  chmodSync(shared, 0o1777);
  afterAll(() => rmSync(shared, { recursive: true, force: true }));
  const P = randomPrefix();

  it('makes the test fixtures refuse a run root that user created first, and a symlink that user planted', async () => {
    const root = join(shared, 'nslab-testing');
    asNobody('mkdir', '-m', '0777', root);
    await expect(deployLab((lab) => { new NetNamespace(lab, 'n'); }, { root })).rejects.toThrow(
      new RegExp(`^refusing the test run directory root ${root}: ${root} is owned by uid ${NOBODY}, not by uid 0 who runs nslab$`));
    expect(readdirSync(root)).toEqual([]);
    const link = join(shared, 'nslab-link');
    asNobody('ln', '-s', '/etc', link);
    await expect(deployLab((lab) => { new NetNamespace(lab, 'n'); }, { root: link })).rejects.toThrow(`${link} is a symlink owned by uid ${NOBODY}`);
  });

  it('makes the CLI refuse a state directory or a cache directory that user prepared, before any change', () => {
    const state = join(shared, 'state');
    asNobody('mkdir', '-m', '0700', state);
    const env = { ...process.env, NSLAB_PREFIX: P, NSLAB_STATE_DIR: state };
    const r = spawnSync('node', [CLI, 'apply', RED_BLUE, '--auto-approve'], { env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: refusing the state directory ${state}: ${state} is owned by uid ${NOBODY}, not by uid 0 who runs nslab\n`);
    expect(namespacesWith(P)).toEqual([]);
    const cache = join(shared, 'cache');
    asNobody('mkdir', '-m', '0777', cache);
    const own = mkdtempSync(join(tmpdir(), 'nslab-own-'));
    try {
      const c = spawnSync('node', [CLI, 'plan', RED_BLUE], { env: { ...env, NSLAB_STATE_DIR: own, NSLAB_CACHE_DIR: cache }, encoding: 'utf8' });
      expect(c.status).toBe(1);
      expect(c.stderr).toBe(`error: ${RED_BLUE}: refusing the cache directory ${cache}: ${cache} is owned by uid ${NOBODY}, not by uid 0 who runs nslab\n`);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
    expect(namespacesWith(P)).toEqual([]);
  });
});
