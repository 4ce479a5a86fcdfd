/**
 * Live handles: a lab namespace (run commands in it, ping from it) and its devices as the kernel
 * reports them now (read with the engine's reader, `ip -d -n NS -j -batch -`).
 */
import { HOST, type Location } from '../plan/types.js';
import { execIn, LabProcess, type ExecOptions, type ExecResult, type SpawnOptions } from './process.js';
import { processRunner, readLocation, type LiveLink } from '../engine/index.js';

/** A device as the kernel reports it at the moment it was read. */
export interface LiveDevice {
  /** The interface name. */
  readonly name: string;
  /** The namespace's kernel name; undefined for the host. */
  readonly namespace?: string;
  readonly ifindex: number;
  /** `aa:bb:cc:dd:ee:ff`; undefined for devices without an Ethernet address (`lo`). */
  readonly mac?: string;
  readonly mtu: number;
  /** Administratively up. */
  readonly up: boolean;
  /** `veth`, `bridge`, …; undefined for `lo`. */
  readonly kind?: string;
  /** The bridge this device is a port of. */
  readonly master?: string;
  /** The ifalias (`nslab:<lab key>` on what the lab made). */
  readonly alias?: string;
  /** Every address on the device, canonical CIDR (`10.10.0.1/24`, `fe80::1/64`), link-local included. */
  readonly addresses: string[];
}

export interface PingOptions {
  /**
   * Replies to wait for.
   * @default 1
   */
  readonly count?: number;
  /**
   * Keep trying for this long before giving up (covers ARP, and IPv6 duplicate address detection
   * right after deployment).
   * @default 3
   */
  readonly timeoutSec?: number;
}

const toDevice = (namespace: string | undefined, l: LiveLink): LiveDevice => ({
  name: l.name, namespace, ifindex: l.ifindex, mac: l.mac, mtu: l.mtu, up: l.up, kind: l.kind,
  master: l.master, alias: l.alias, addresses: l.addresses.map((a) => a.address),
});

/** Reads every device of a location. Equivalent to: `ip -d [-n NS] -j addr show`. */
export async function readDevices(at: Location): Promise<LiveDevice[]> {
  const live = await readLocation(processRunner, at);
  return [...live.links.values()].map((l) => toDevice(at === HOST ? undefined : at, l));
}

/** ping's errors that no amount of waiting changes: returned at once, not retried. */
const FINAL = /Network is unreachable|Name or service not known|Temporary failure in name resolution|unknown host|invalid argument|Address family for hostname not supported/iu;

/** Something that stops a lab's processes at teardown. */
export interface ProcessRegistry {
  adopt(p: LabProcess): void;
  /** Throws when the lab is already destroyed. */
  assertLive(): void;
}

/** One namespace of a deployed lab. Get it with `lab.namespace(id)`. */
export class LabNamespace {
  /** @internal */
  constructor(
    /** The namespace's construct id (its key in the plan). */
    readonly id: string,
    /** The namespace's kernel name (lab prefix included). */
    readonly name: string,
    private readonly registry: ProcessRegistry,
  ) {}

  /**
   * Runs a command inside the namespace and waits for it; never through a shell.
   * Equivalent to: `ip netns exec <name> <argv…>`.
   */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.registry.assertLive();
    return execIn(this.name, argv, opts);
  }

  /**
   * Starts a long-running command inside the namespace (a server, a capture) and returns at once.
   * Teardown stops it (and everything it started); `kill()` stops it earlier.
   */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): LabProcess {
    this.registry.assertLive();
    const p = new LabProcess(this.name, argv, opts);
    this.registry.adopt(p);
    return p;
  }

  /**
   * Pings `address` from this namespace until `count` replies arrive or `timeoutSec` passes.
   * Equivalent to: `ip netns exec <name> ping -c <count> -w <timeoutSec> <address>`, retried.
   */
  async ping(address: string, opts: PingOptions = {}): Promise<boolean> {
    return (await this.pingDetails(address, opts)).ok;
  }

  /**
   * @internal `ping` with the last attempt's output, for error messages. With `retry` (the
   * default) an attempt that fails at once is repeated until the time is up (a tentative IPv6
   * source address right after deployment: "Cannot assign requested address"), except for
   * errors that waiting cannot change: no route ("Network is unreachable"), a name that does
   * not resolve, a malformed address.
   */
  async pingDetails(address: string, opts: PingOptions & { retry?: boolean } = {}): Promise<{ ok: boolean; last: ExecResult }> {
    const count = opts.count ?? 1;
    const timeoutSec = opts.timeoutSec ?? 3;
    const deadline = Date.now() + timeoutSec * 1000;
    const target = address.replace(/\/\d+$/u, '');
    for (;;) {
      const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
      const last = await this.exec(['ping', '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1', '-w', String(left), target], { timeoutMs: left * 1000 + 5000 });
      if (last.code === 0) return { ok: true, last };
      if (opts.retry === false || FINAL.test(last.stderr) || Date.now() >= deadline - 150) return { ok: false, last };
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /**
   * Waits (up to `timeoutMs`) until no address in the namespace is still tentative (IPv6
   * duplicate address detection, about a second after an address is added).
   * Equivalent to: `ip -n <name> -j addr show tentative` until it lists none.
   */
  async settled(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const r = await processRunner.run(['ip', '-n', this.name, '-j', 'addr', 'show', 'tentative']);
      const links = r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Array<{ addr_info?: unknown[] }>) : [];
      if (!links.some((l) => (l.addr_info?.length ?? 0) > 0)) return;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /**
   * The device `name` in this namespace, read from the kernel now.
   * @throws Error listing the namespace's devices when there is no such device
   */
  async device(name: string): Promise<LiveDevice> {
    const all = await this.devices();
    const d = all.find((x) => x.name === name);
    if (!d) throw new Error(`namespace ${this.id} (${this.name}) has no device "${name}" (it has: ${all.map((x) => x.name).join(', ')})`);
    return d;
  }

  /** Every device in this namespace, read from the kernel now. */
  devices(): Promise<LiveDevice[]> {
    return readDevices(this.name);
  }
}
