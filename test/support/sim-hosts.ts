/**
 * Simulated remote machines for tests: network namespaces on this machine, each with its own
 * sshd, reachable from the root namespace over an underlay bridge.
 *
 *   root namespace: bridge `${prefix}ul` 198.51.100.254/24
 *     └─ veth `${prefix}h${i}u` ── `eth0` 198.51.100.${i}/24 in namespace `${prefix}h${i}` (sshd on :22)
 *
 * The bridge has no uplink and the host namespaces have no default route, so nothing leaves the
 * machine. Each sshd runs in its host's network namespace but in the root mount namespace
 * (`nsenter --net`, not `ip netns exec`), so namespaces that commands over SSH create land in
 * the shared /run/netns, as they would on the machine a real remote would be.
 *
 * Keys, configs, pid files and logs live in one temporary directory (mode 0700); the client
 * uses it via `ssh -F <sshConfig>`, with host keys checked against a pre-filled known_hosts.
 * Nothing global is registered: the caller calls stop(), e.g. in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface SimHost {
  name: string;
  ns: string;
  address: string;
  /** `root@<address>`, for `ssh -F <sshConfig> <ssh> ...`. */
  ssh: string;
}

export interface SimHosts {
  hosts: SimHost[];
  /** Temporary directory (mode 0700) holding keys, sshd configs, pid files and logs. */
  dir: string;
  /** ssh_config (mode 0600) for the client: `ssh -F <sshConfig> root@198.51.100.1 true`. */
  sshConfig: string;
  /** The client's private key. */
  identityFile: string;
  /** The underlay bridge in the root namespace. */
  bridge: string;
  /** Kills the sshds and whatever runs in the host namespaces, deletes namespaces, links and the directory. Safe to call twice; never throws. */
  stop(): void;
}

const SSHD = '/usr/sbin/sshd';
const NET = '198.51.100';
const GATEWAY = `${NET}.254`;
const IFNAMSIZ = 15;
const READY_MS = 10_000;

function onPath(cmd: string): boolean {
  for (const d of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Why simulated hosts cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    accessSync(SSHD, constants.X_OK);
  } catch {
    return `no ${SSHD} (install openssh-server)`;
  }
  for (const cmd of ['ssh-keygen', 'ssh', 'nsenter', 'ip']) if (!onPath(cmd)) return `no ${cmd} on PATH`;
  return undefined;
}

function run(cmd: string, args: string[], timeout = 20_000): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
}

function quiet(cmd: string, args: string[]): boolean {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A process that exists and is not a zombie (PID 1 here may never reap a daemonized sshd). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** SIGTERM, wait up to `ms` for them to go, then SIGKILL whatever is left. */
function terminate(pids: number[], ms = 2000): void {
  const mine = new Set([process.pid, process.ppid]);
  const targets = pids.filter((p) => p > 1 && !mine.has(p));
  for (const p of targets) signal(p, 'SIGTERM');
  const deadline = Date.now() + ms;
  while (targets.some(alive) && Date.now() < deadline) sleepMs(25);
  for (const p of targets.filter(alive)) signal(p, 'SIGKILL');
  const hard = Date.now() + 1000;
  while (targets.some(alive) && Date.now() < hard) sleepMs(10);
}

/** Processes whose command line contains `text` (what `pkill -f` matches, as a substring, without a shell). */
function pidsMentioning(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/u.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text)) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function namespaces(): string[] {
  const text = run('ip', ['-j', 'netns', 'list']).trim();
  return text ? (JSON.parse(text) as Array<{ name: string }>).map((n) => n.name) : [];
}

function links(): string[] {
  return (JSON.parse(run('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>).map((l) => l.ifname);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The interfaces of the root namespace holding an address in 198.51.100.0/24, e.g. `eth1 198.51.100.7/24`. */
function underlayInUse(): string[] {
  const ifs = JSON.parse(run('ip', ['-j', '-4', 'addr', 'show'])) as Array<{ ifname: string; addr_info?: Array<{ local?: string; prefixlen?: number }> }>;
  return ifs.flatMap((i) => (i.addr_info ?? []).filter((a) => a.local?.startsWith(`${NET}.`)).map((a) => `${i.ifname} ${a.local}/${a.prefixlen}`));
}

function keygen(file: string, comment: string): void {
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** The first two fields of an OpenSSH public key file: `ssh-ed25519 AAAA...`. */
function publicKey(file: string): string {
  return readFileSync(file, 'utf8').trim().split(/\s+/u).slice(0, 2).join(' ');
}

export function startSimHosts(opts: { prefix: string; count: number }): SimHosts {
  const { prefix, count } = opts;
  const why = sshdMissing();
  if (why) throw new Error(`startSimHosts: ${why}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/u.test(prefix)) throw new Error(`startSimHosts: prefix ${JSON.stringify(prefix)} must be letters, digits, '_' or '-'`);
  if (!Number.isInteger(count) || count < 1 || count > 253) throw new Error(`startSimHosts: count must be 1..253, got ${count}`);
  const bridge = `${prefix}ul`;
  const longest = `${prefix}h${count}u`;
  if (Buffer.byteLength(longest) > IFNAMSIZ) throw new Error(`startSimHosts: prefix ${JSON.stringify(prefix)} too long: link name ${longest} exceeds ${IFNAMSIZ} bytes`);

  // Refuse before touching anything: what exists now is not ours to clean up.
  const taken = underlayInUse();
  if (taken.length > 0) {
    throw new Error(
      `startSimHosts: ${NET}.0/24 is already in use in the root namespace (${taken.join(', ')}); ` +
        'another simulation is running, or a previous one was not stopped. Only one SimHosts can run at a time.',
    );
  }
  const hosts: SimHost[] = Array.from({ length: count }, (_, k) => {
    const i = k + 1;
    return { name: `h${i}`, ns: `${prefix}h${i}`, address: `${NET}.${i}`, ssh: `root@${NET}.${i}` };
  });
  const clash = [...namespaces().filter((n) => hosts.some((h) => h.ns === n)), ...links().filter((l) => l === bridge || hosts.some((h) => `${h.ns}u` === l))];
  if (clash.length > 0) throw new Error(`startSimHosts: already exist: ${clash.join(', ')}`);

  // StrictModes wants every directory above authorized_keys to be writable by root only: /tmp is
  // 1777, /run is 0755. Use /run when we can (we are root), else the temp dir with StrictModes off.
  const base = (() => {
    try {
      accessSync('/run', constants.W_OK);
      return statSync('/run').mode & 0o022 ? undefined : '/run';
    } catch {
      return undefined;
    }
  })();
  const dir = mkdtempSync(join(base ?? tmpdir(), 'nslab-simhosts-'));
  chmodSync(dir, 0o700);
  const strictModes = base !== undefined;
  const sshConfig = join(dir, 'ssh_config');
  const identityFile = join(dir, 'client_ed25519');
  const pidFile = (h: SimHost) => join(dir, `sshd-${h.name}.pid`);

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    const step = (fn: () => void): void => {
      try {
        fn();
      } catch {
        // best effort: stop never throws
      }
    };
    // 1. The listeners, by pid file.
    step(() => {
      const pids: number[] = [];
      for (const h of hosts) {
        step(() => {
          const pid = Number(readFileSync(pidFile(h), 'utf8').trim());
          if (Number.isInteger(pid) && pid > 1) pids.push(pid);
        });
      }
      terminate(pids);
    });
    // 2. Everything still in a host namespace: sessions the listener's death leaves running, and what they started.
    step(() => {
      const ours = new RegExp(`^${escapeRe(prefix)}h\\d+$`, 'u');
      const pids = namespaces()
        .filter((n) => ours.test(n))
        .flatMap((n) => {
          try {
            return run('ip', ['netns', 'pids', n]).split(/\s+/u).filter(Boolean).map(Number);
          } catch {
            return [];
          }
        });
      terminate(pids);
    });
    // 3. Anything naming the directory: ssh ControlMaster processes a client left (their socket is in dir), stray sshds.
    step(() => terminate(pidsMentioning(dir)));
    // 4. Links (deleting the root side of a veth deletes its peer), then namespaces, then the directory.
    step(() => {
      const ours = new RegExp(`^${escapeRe(prefix)}(h\\d+u|ul)$`, 'u');
      for (const l of links().filter((x) => ours.test(x))) quiet('ip', ['link', 'del', 'dev', l]);
    });
    step(() => {
      const ours = new RegExp(`^${escapeRe(prefix)}h\\d+$`, 'u');
      for (const n of namespaces().filter((x) => ours.test(x))) quiet('ip', ['netns', 'del', n]);
    });
    step(() => rmSync(dir, { recursive: true, force: true }));
  };

  try {
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });

    // Underlay.
    run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${GATEWAY}/24`, 'dev', bridge]);
    run('ip', ['link', 'set', 'dev', bridge, 'up']);
    for (const h of hosts) {
      run('ip', ['netns', 'add', h.ns]);
      run('ip', ['link', 'add', 'name', `${h.ns}u`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      run('ip', ['link', 'set', 'dev', `${h.ns}u`, 'master', bridge, 'up']);
      run('ip', ['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      run('ip', ['-n', h.ns, 'link', 'set', 'dev', 'lo', 'up']);
      run('ip', ['-n', h.ns, 'link', 'set', 'dev', 'eth0', 'up']);
    }

    // Keys.
    keygen(identityFile, 'nslab-sim-client');
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, `${publicKey(`${identityFile}.pub`)}\n`, { mode: 0o600 });
    const knownHosts: string[] = [];
    for (const h of hosts) {
      const hostKey = join(dir, `ssh_host_${h.name}_ed25519_key`);
      keygen(hostKey, `nslab-sim-${h.name}`);
      knownHosts.push(`${h.address} ${publicKey(`${hostKey}.pub`)}`);
      writeFileSync(
        join(dir, `sshd_config-${h.name}`),
        [
          `ListenAddress ${h.address}`,
          'Port 22',
          `HostKey ${hostKey}`,
          `PidFile ${pidFile(h)}`,
          `AuthorizedKeysFile ${authorizedKeys}`,
          'PermitRootLogin prohibit-password',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          `StrictModes ${strictModes ? 'yes' : 'no'}`,
          // sshd's default: nslab keeps below it (remote/ssh.ts).
          'MaxSessions 10',
          // Each command over ssh runs in the user's shell, and bash reads root's .bashrc when started
          // by sshd at shell level 1; this machine's runs pyenv init (about 1 s). A server's root
          // shell starts in milliseconds: SHLVL=1 makes bash start at level 2, skipping the .bashrc.
          'SetEnv SHLVL=1',
          'MaxStartups 100:30:200',
          'PrintMotd no',
          'PrintLastLog no',
          'UseDNS no',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
    }
    writeFileSync(join(dir, 'known_hosts'), `${knownHosts.join('\n')}\n`, { mode: 0o600 });
    writeFileSync(
      sshConfig,
      [
        'Host *',
        `  IdentityFile ${identityFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  ConnectTimeout 5',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    // sshds: started in the host's network namespace only, daemonized, ready when a login works.
    for (const h of hosts) {
      const log = join(dir, `sshd-${h.name}.log`);
      try {
        run('nsenter', [`--net=/run/netns/${h.ns}`, SSHD, '-f', join(dir, `sshd_config-${h.name}`), '-E', log]);
      } catch (e) {
        throw new Error(`startSimHosts: sshd for ${h.ns} did not start: ${String((e as { stderr?: string }).stderr ?? e).trim()}\n${tail(log)}`);
      }
    }
    for (const h of hosts) {
      const deadline = Date.now() + READY_MS;
      let last = '';
      for (;;) {
        if (existsSync(pidFile(h))) {
          try {
            run('ssh', ['-F', sshConfig, h.ssh, 'true'], 8000);
            break;
          } catch (e) {
            last = String((e as { stderr?: string }).stderr ?? e).trim();
            // sshd answered: a wrong host key or a refused login will not get better by waiting.
            if (/Host key verification failed|Permission denied/u.test(last)) {
              throw new Error(`startSimHosts: ssh to ${h.ssh} (namespace ${h.ns}) failed: ${last}\nsshd log:\n${tail(join(dir, `sshd-${h.name}.log`))}`);
            }
          }
        } else last = `no pid file ${pidFile(h)}`;
        if (Date.now() > deadline) {
          throw new Error(`startSimHosts: ${h.ssh} (namespace ${h.ns}) not reachable over ssh after ${READY_MS} ms: ${last}\nsshd log:\n${tail(join(dir, `sshd-${h.name}.log`))}`);
        }
        sleepMs(50);
      }
    }
  } catch (e) {
    stop();
    throw e;
  }

  return { hosts, dir, sshConfig, identityFile, bridge, stop };
}
