/**
 * A state store on another machine (see state/store.ts), through its SshRunner: the same files as
 * on this one (`<dir>/<key>.state.json`, `<dir>/<key>.lock`), so `nslab show` and `nslab gc` run
 * there see the records. Every operation is one small POSIX shell script with its arguments
 * passed as arguments (`sh -c SCRIPT nslab ARG…`), never pasted into the script. The lock is
 * util-linux `flock` there, held by a session that lasts as long as nslab holds the lock: when
 * nslab ends, however it ends, ssh's session ends and the kernel there releases the lock.
 */
import { spawn } from 'node:child_process';
import type { Runner } from '../runner.js';
import { CommandFailedError, runChecked } from '../runner.js';
import { DEFAULT_STATE_DIR, LockedError, ownerKey, parseState, stateText, type LabState } from '../state/state.js';
import type { HeldLock, StateStore } from '../state/store.js';
import type { SshRunner } from './ssh.js';

/**
 * Checks the directory as state/trust.ts does here (made 0700 when missing; owned by the user,
 * writable by nobody else; its parent owned by the user or root and not writable by others unless
 * sticky), then runs the rest of the script. Three processes (id, dirname, one stat of both).
 */
const TRUSTED = `set -e; d=$1; umask 077; [ -d "$d" ] || mkdir -p -- "$d"
me=$(id -u); p=$(dirname -- "$d")
modes() { du=$1; dm=0$2; pu=$3; pm=0$4; }; modes $(stat -c '%u %a' -- "$d" "$p")
[ "$du" = "$me" ] || { echo "refusing the state directory $d: it is not owned by uid $me" >&2; exit 3; }
[ $(( dm & 022 )) -eq 0 ] || { echo "refusing the state directory $d: others can write it" >&2; exit 3; }
[ "$pu" = "$me" ] || [ "$pu" = 0 ] || { echo "refusing the state directory $d: its parent is owned by uid $pu" >&2; exit 3; }
[ $(( pm & 022 )) -eq 0 ] || [ $(( pm & 01000 )) -ne 0 ] || { echo "refusing the state directory $d: others can write its parent" >&2; exit 3; }
`;

const ABSENT = 44;
const BUSY = 75;
/** The lock session's lines after "locked": the lab's state file, then END; or NONE when it has none. */
const END = 'nslab:end';
const NONE = 'nslab:absent';

const SCRIPTS = {
  read: `${TRUSTED}f="$d/$2.state.json"; [ -e "$f" ] || exit ${ABSENT}; exec cat -- "$f"`,
  write: `${TRUSTED}umask 022; f="$d/$2.state.json"; t="$f.$$.tmp"; cat > "$t"; sync -- "$t" 2>/dev/null || true; mv -f -- "$t" "$f"`,
  remove: `${TRUSTED}rm -f -- "$d/$2.state.json"`,
  list: `${TRUSTED}cd -- "$d"; for f in *.state.json; do [ -e "$f" ] && printf '%s\\n' "$f"; done; true`,
  // Once the lock is taken: prints "locked" and the lab's state (read under the lock, so nslab
  // needs no second session for it), then holds the lock until its input ends.
  lock:
    `${TRUSTED}exec flock -x -w "$3" -E ${BUSY} "$d/$2.lock" sh -c ` +
    `'echo locked; if [ -e "$1" ]; then cat -- "$1"; echo; echo ${END}; else echo ${NONE}; fi; exec cat >/dev/null' nslab "$d/$2.state.json"`,
};

const sh = (script: keyof typeof SCRIPTS, ...args: string[]) => ['sh', '-c', SCRIPTS[script], 'nslab', ...args];

/** The state directory `dir` (default /var/lib/nslab) of the machine `ssh` reaches. */
export function sshStore(ssh: SshRunner, dir = DEFAULT_STATE_DIR): StateStore {
  const where = `${ssh.text}:${dir}`;
  /** In this process, one lock request per lab at a time: a waiting flock would hold an ssh session. */
  const queues = new Map<string, Promise<unknown>>();
  /**
   * The state of each lab whose lock this process holds, as the lock session read it and as this
   * process wrote it since: nobody else writes it while the lock is held, so no session re-reads it.
   */
  const held = new Map<string, LabState | undefined>();
  const locked = new Set<string>();
  const path = (key: string) => `${where}/${key}.state.json`;
  return {
    where,
    owner: (key) => ownerKey(dir, key),
    async read(key) {
      if (held.has(key)) return held.get(key);
      const r = await ssh.run(sh('read', dir, key));
      if (r.code === ABSENT) return undefined;
      if (r.code !== 0) throw new CommandFailedError(['cat', path(key)], r.code, r.stderr);
      return parseState(r.stdout, key, path(key));
    },
    async write(state) {
      if (held.has(state.key)) held.delete(state.key); // unknown until the write has succeeded
      await runChecked(ssh, sh('write', dir, state.key), stateText(state));
      if (locked.has(state.key)) held.set(state.key, state);
    },
    async remove(key) {
      if (held.has(key)) held.delete(key);
      await runChecked(ssh, sh('remove', dir, key));
      if (locked.has(key)) held.set(key, undefined);
    },
    async list() {
      const r = await runChecked(ssh, sh('list', dir));
      return r.stdout.split('\n').filter((f) => f.endsWith('.state.json')).map((f) => f.slice(0, -'.state.json'.length)).sort();
    },
    lock(key, waitMs, runner) {
      const before = queues.get(key) ?? Promise.resolve();
      let free!: () => void;
      const mine = new Promise<void>((r) => (free = r));
      queues.set(key, before.then(() => mine));
      const done = () => {
        locked.delete(key);
        held.delete(key);
        free();
      };
      return before.then(async () => {
        try {
          const lock = await holdLock(ssh, dir, key, waitMs, runner, done);
          try {
            held.set(key, lock.state === undefined ? undefined : parseState(lock.state, key, path(key)));
          } catch (e) {
            await lock.release();
            throw e;
          }
          locked.add(key);
          return lock;
        } catch (e) {
          done();
          throw e;
        }
      });
    },
  };
}

/** The session that holds the lock: `flock` there, until its input is closed. */
async function holdLock(ssh: SshRunner, dir: string, key: string, waitMs: number, runner: Runner, free: () => void): Promise<HeldLock & { state?: string }> {
  await ssh.ensure();
  const argv = ssh.sshArgv(sh('lock', dir, key, String(Math.ceil(waitMs / 1000))));
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin!.on('error', () => undefined);
  const ended = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // After "locked": the state file's text and END, or NONE.
  const taken = await new Promise<{ state?: string } | false>((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.startsWith('locked\n')) return;
      const rest = out.slice('locked\n'.length);
      if (rest === `${NONE}\n`) resolve({});
      else if (rest.endsWith(`\n${END}\n`)) resolve({ state: rest.slice(0, -`\n${END}\n`.length) });
    });
    void ended.then(() => resolve(false));
  });
  if (taken === false) {
    const code = await ended;
    if (code === BUSY) throw new LockedError(`lab ${key} on ${ssh.text} is locked by another process after waiting ${waitMs / 1000} s`);
    throw new Error(`cannot lock lab ${key} on ${ssh.text} (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`);
  }
  let held = true;
  return {
    ...taken,
    runner,
    async release() {
      if (!held) return;
      held = false;
      child.stdin!.end();
      await ended;
      free();
    },
  };
}
