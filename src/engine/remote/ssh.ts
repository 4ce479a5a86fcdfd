/**
 * Another machine's kernel, over SSH: a Runner whose commands run there. One multiplexed
 * connection per machine (an ssh ControlMaster started on first use and shared by nslab's
 * processes, ending 60 s after its last session, as ssh's ControlPersist does). On it, one
 * session per runner runs nslab's launcher there (launcher.ts: perl, a fork and exec per
 * command from its argv, no shell); where that machine has no perl, every command is a session,
 * its argv quoted for the remote shell word by word, so a name never turns into shell syntax
 * there. The remote machine needs iproute2 (and nftables, tc where a lab uses them) and a POSIX
 * shell with coreutils and util-linux `flock` for its records (remote/store.ts): what every Linux
 * distribution has; perl (perl-base, on every Debian and Ubuntu) makes it faster.
 *
 * ssh runs as it would for the user: its own configuration, keys, known hosts and their checks
 * (StrictHostKeyChecking as configured: a host key nslab has never seen is refused under
 * BatchMode). NSLAB_SSH_CONFIG names an ssh_config file to use instead of the user's (`ssh -F`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTimeoutMs, TimeoutError, type RunOptions, type RunResult, type Runner } from '../runner.js';
import { trustedDir } from '../state/trust.js';
import { Launcher, remoteLauncherArgv } from '../launcher.js';
import type { SshAddress } from '../../plan/hosts.js';

/** Where to reach a machine (see parseSsh), and with which key. */
export interface SshTarget extends SshAddress {
  /** The private key to use (ssh -i, only that one); default: ssh's own choice. */
  readonly identityFile?: string;
}

/** `user@address[:port]` again, for messages. */
export const sshText = (t: SshTarget): string => {
  const a = t.address.includes(':') ? `[${t.address}]` : t.address;
  return `${t.user ? `${t.user}@` : ''}${a}${t.port ? `:${t.port}` : ''}`;
};

/** A word the remote shell reads back as exactly `s`. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_./=:,@%+-]+$/u.test(s) ? s : `'${s.replace(/'/gu, `'\\''`)}'`);

/**
 * An argv the local runner would run, in the form the remote machine runs it with iproute2 alone:
 * `nsenter --net=/run/netns/NS ip …` becomes `ip -n NS …`, other commands in a namespace
 * `ip netns exec NS …`.
 */
export function remoteArgv(argv: readonly string[]): string[] {
  if (/(^|\/)nsenter$/u.test(argv[0] ?? '') && argv[1]?.startsWith('--net=/run/netns/')) {
    const ns = argv[1].slice('--net=/run/netns/'.length);
    const rest = argv.slice(2);
    return rest[0] === 'ip' ? ['ip', '-n', ns, ...rest.slice(1)] : ['ip', 'netns', 'exec', ns, ...rest];
  }
  return [...argv];
}

/** Sessions at once on one connection: below sshd's default MaxSessions (10), with one left for the lab lock. */
const SESSIONS = 8;

/** The directory of the control sockets (root's own, like the state store): env NSLAB_SSH_DIR, else /run/nslab/ssh. */
const controlDir = () => trustedDir(process.env.NSLAB_SSH_DIR ?? '/run/nslab/ssh', 'ssh control directory');

/** Commands on another machine, over one multiplexed ssh connection. */
export class SshRunner implements Runner {
  readonly text: string;
  private connecting?: Promise<void>;
  private active = 0;
  private launcher?: Launcher;
  private launching?: Promise<Launcher | undefined>;
  /** Every command its own session (no launcher there). */
  private direct = false;
  /** The launcher there enters namespaces itself: `nsenter --net=…` argv go to it as they are. */
  private enters = false;
  private readonly waiting: Array<() => void> = [];

  /**
   * The control socket: one per target, key and ssh configuration, shared by nslab's processes
   * (Terraform's plan and apply phases reuse one connection).
   */
  private readonly socket: string;

  constructor(readonly target: SshTarget) {
    this.text = sshText(target);
    const id = JSON.stringify([this.text, target.identityFile ?? '', process.env.NSLAB_SSH_CONFIG ?? '']);
    this.socket = join(controlDir(), createHash('sha256').update(id).digest('hex').slice(0, 16));
  }

  /** ssh's options: the user's configuration (or NSLAB_SSH_CONFIG), the key, the control socket. */
  private options(): string[] {
    const t = this.target;
    const config = process.env.NSLAB_SSH_CONFIG;
    return [
      ...(config ? ['-F', config] : []),
      '-o', 'BatchMode=yes',
      '-o', `ControlPath=${this.socket}`,
      ...(t.identityFile ? ['-i', t.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
      ...(t.port ? ['-p', String(t.port)] : []),
      ...(t.user ? ['-l', t.user] : []),
    ];
  }

  /** The ssh argv that runs `argv` there (for a lock held while a session lasts: remote/store.ts). */
  sshArgv(argv: readonly string[]): string[] {
    return ['ssh', ...this.options(), '-o', 'ControlMaster=no', '--', this.target.address, remoteArgv(argv).map(shellQuote).join(' ')];
  }

  /**
   * Starts the connection's master once (again when it has ended): `ssh -M -N -f` returns once it is
   * connected and authenticated. Its error output names why it could not (host key, auth, route).
   */
  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = spawn('ssh', [...this.options(), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-N', '-f', '--', this.target.address], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => reject(new Error(`cannot run ssh: ${e.message}`)));
      // 'exit', not 'close': the master it leaves behind may keep the error pipe open.
      child.on('exit', (code) => {
        child.stderr!.destroy();
        if (code === 0) resolve();
        else reject(new Error(`cannot connect to ${this.text} over ssh: ${err.trim().split('\n').pop() || `exit ${code}`}`));
      });
    });
  }

  /** Whether the control socket is still there (a master ends 60 s after its last session). */
  private alive(): boolean {
    return existsSync(this.socket);
  }

  private async slot(): Promise<() => void> {
    if (this.active >= SESSIONS) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }

  async run(argv: readonly string[], input?: string, opts: RunOptions = {}): Promise<RunResult> {
    const ms = opts.timeoutMs ?? defaultTimeoutMs();
    const launcher = await this.remoteLauncher();
    if (launcher) {
      let r;
      try {
        r = await launcher.run({ argv: this.enters ? argv : remoteArgv(argv), input, ms });
      } catch (e) {
        throw new Error(`${argv[0]} on ${this.text}: ${(e as Error).message}`, { cause: e });
      }
      if (r.timedOut) throw new TimeoutError(argv, ms);
      return { stdout: r.stdout, stderr: r.stderr + (r.signal ? `killed by ${r.signal}\n` : ''), code: r.code ?? 128 };
    }
    await this.ensure();
    const done = await this.slot();
    try {
      return await spawnSsh(this.sshArgv(argv), argv, input, ms);
    } finally {
      done();
    }
  }

  /**
   * The launcher on that machine (see launcher.ts): one ssh session for all of this process's
   * commands, each then a fork and exec there (an ssh session costs about 20 ms of CPU for the
   * ssh client alone, and a shell on the other side). Started on first use, again after it ended
   * (a lost connection fails the commands then in flight). Where it never starts (no perl there,
   * or NSLAB_LAUNCHER=0), every command is its own session.
   */
  private async remoteLauncher(): Promise<Launcher | undefined> {
    if (this.launcher?.alive) return this.launcher;
    if (this.direct || process.env.NSLAB_LAUNCHER === '0') return undefined;
    this.launching ??= this.startLauncher().finally(() => (this.launching = undefined));
    return this.launching;
  }

  private async startLauncher(): Promise<Launcher | undefined> {
    await this.ensure();
    const l = new Launcher(this.sshArgv(remoteLauncherArgv()));
    try {
      // Where perl there knows setns(2)'s number, it enters namespaces itself (no `ip -n`).
      const r = await l.run({ argv: ['uname', '-m'], ms: defaultTimeoutMs() });
      if (r.code !== 0) throw new Error(`uname -m: exit ${r.code}`);
      this.enters = ['x86_64', 'aarch64', 'riscv64'].includes(r.stdout.trim());
      this.launcher = l;
      return l;
    } catch {
      l.end();
      if (!this.launcher) this.direct = true; // never started: no perl there
      return undefined;
    }
  }

  /** The connection, made now if there is none. */
  async ensure(): Promise<void> {
    if (this.alive()) return;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    await this.connecting;
  }
}

/** One ssh session: like the local runner's direct spawn (own process group, deadline, stdin). */
function spawnSsh(full: string[], argv: readonly string[], input: string | undefined, ms: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, ms);
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ssh: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new TimeoutError(argv, ms));
      // Exit 255 is ssh's own failure or the command's: its error output tells which.
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + (signal ? `killed by ${signal}\n` : ''), code: code ?? 128 });
    });
    child.stdin!.end(input ?? '');
  });
}
