/**
 * A state store on another machine (see state/store.ts), through its SshRunner: the same files as
 * on this one (`<dir>/<key>.state.json`, `<dir>/<key>.lock`), so `nslab show` and `nslab gc` run
 * there see the records. Every operation is one small POSIX shell script with its arguments
 * passed as arguments (`sh -c SCRIPT nslab ARG…`), never pasted into the script. The lock is
 * util-linux `flock` there, held by a session that lasts as long as nslab holds the lock: when
 * nslab ends, however it ends, ssh's session ends and the kernel there releases the lock. That
 * session also reads the lab's state once the lock is taken, and passes from one change of the
 * lab to this process's next one for up to HANDOVER_MS (Terraform makes changes one after the other).
 */
import { spawn } from 'node:child_process';
import { CommandFailedError, runChecked } from '../runner.js';
import { DEFAULT_STATE_DIR, LockedError, ownerKey, parseState, stateText, type LabState } from '../state/state.js';
import type { StateStore } from '../state/store.js';
import { SshRunner } from './ssh.js';
import { parseSsh } from '../../plan/hosts.js';

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
  // Under a lock whose session checked the directory: nobody else can have made it untrusted since
  // (it is the user's, and neither it nor its parent is writable by others).
  writeLocked: `set -e; umask 022; f="$1/$2.state.json"; t="$f.$$.tmp"; cat > "$t"; sync -- "$t" 2>/dev/null || true; mv -f -- "$t" "$f"`,
  remove: `${TRUSTED}rm -f -- "$d/$2.state.json"`,
  list: `${TRUSTED}cd -- "$d"; for f in *.state.json; do [ -e "$f" ] && printf '%s\\n' "$f"; done; true`,
  // Once the lock is taken: prints "locked" and the lab's state (read under the lock, so nslab
  // needs no second session for it), then holds the lock until its input ends.
  lock:
    `${TRUSTED}exec flock -x -w "$3" -E ${BUSY} "$d/$2.lock" sh -c ` +
    `'echo locked; if [ -e "$1" ]; then cat -- "$1"; echo; echo ${END}; else echo ${NONE}; fi; exec cat >/dev/null' nslab "$d/$2.state.json"`,
};

const sh = (script: keyof typeof SCRIPTS, ...args: string[]) => ['sh', '-c', SCRIPTS[script], 'nslab', ...args];

/**
 * How long one lock session may pass from one change of a lab to this process's next change of
 * it (Terraform makes many, one after the other): no new session each time, and no other process
 * waits longer than this for its turn.
 */
const HANDOVER_MS = 5000;

/** The state directory `dir` (default /var/lib/nslab) of the machine `ssh` reaches. */
export function sshStore(ssh: SshRunner, dir = DEFAULT_STATE_DIR): StateStore {
  const where = `${ssh.text}:${dir}`;
  /** In this process, one lock request per lab at a time: a waiting flock would hold an ssh session. */
  const queues = new Map<string, Promise<unknown>>();
  /** Lock requests of each lab waiting for their turn in this process. */
  const waiting = new Map<string, number>();
  /** The lock session of each lab whose lock this process holds. */
  const sessions = new Map<string, LockSession & { readonly since: number }>();
  /**
   * The state of each lab whose lock this process holds, as the lock session read it and as this
   * process wrote it since: nobody else writes it while the lock is held, so no session re-reads it.
   */
  const held = new Map<string, LabState | undefined>();
  const path = (key: string) => `${where}/${key}.state.json`;
  const letGo = async (key: string) => {
    const s = sessions.get(key);
    sessions.delete(key);
    held.delete(key);
    await s?.release();
  };
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
      await runChecked(ssh, sh(sessions.has(state.key) ? 'writeLocked' : 'write', dir, state.key), stateText(state));
      if (sessions.has(state.key)) held.set(state.key, state);
    },
    async remove(key) {
      if (held.has(key)) held.delete(key);
      await runChecked(ssh, sh('remove', dir, key));
      if (sessions.has(key)) held.set(key, undefined);
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
      waiting.set(key, (waiting.get(key) ?? 0) + 1);
      const fresh = (s: { alive(): boolean; since: number }) => s.alive() && Date.now() - s.since <= HANDOVER_MS;
      return before.then(async () => {
        waiting.set(key, waiting.get(key)! - 1);
        try {
          let s = sessions.get(key);
          if (s && !fresh(s)) await letGo(key);
          s = sessions.get(key);
          if (!s) {
            const taken = await holdLock(ssh, dir, key, waitMs);
            try {
              held.set(key, taken.state === undefined ? undefined : parseState(taken.state, key, path(key)));
            } catch (e) {
              await taken.release();
              throw e;
            }
            s = { ...taken, since: Date.now() };
            sessions.set(key, s);
          }
          const session = s;
          let done = false;
          return {
            runner,
            async release() {
              if (done) return;
              done = true;
              // The next change of this lab in this process goes on under the same session.
              if (!((waiting.get(key) ?? 0) > 0 && fresh(session))) await letGo(key);
              free();
            },
          };
        } catch (e) {
          free();
          throw e;
        }
      });
    },
  };
}

/** A lock held on the other machine: its session, and the state file's text read under it. */
interface LockSession {
  readonly state?: string;
  alive(): boolean;
  release(): Promise<void>;
}

/** The session that holds the lock: `flock` there, until its input is closed. */
async function holdLock(ssh: SshRunner, dir: string, key: string, waitMs: number): Promise<LockSession> {
  await ssh.ensure();
  const argv = ssh.sshArgv(sh('lock', dir, key, String(Math.ceil(waitMs / 1000))));
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin!.on('error', () => undefined);
  let closed = false;
  const ended = new Promise<number | null>((r) => child.on('close', (code) => r(code))).finally(() => (closed = true));
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
  return {
    ...taken,
    alive: () => !closed,
    async release() {
      child.stdin!.end();
      await ended;
    },
  };
}

/**
 * Another machine's kernel and records, for a front-end (the CLI's `nslab plan` of a host's part,
 * the provider configured with `host`): `ssh` is `[ssh://]user@address[:port]`. Throws an Error
 * saying what is wrong with `ssh`.
 */
export function remoteEngine(ssh: string, identityFile?: string, stateDir?: string): { runner: SshRunner; store: StateStore } {
  const target = parseSsh(ssh);
  if (typeof target === 'string') throw new Error(target);
  const runner = new SshRunner({ ...target, ...(identityFile ? { identityFile } : {}) });
  return { runner, store: sshStore(runner, stateDir) };
}
