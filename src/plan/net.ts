/**
 * Pure helpers for interface names, MAC addresses and IP prefixes: parsing, validation and the
 * canonical forms the diff compares (compressed lowercase IPv6, `default` for a zero-length prefix).
 */

export type Family = 4 | 6;

/** The kernel's limit on interface names: IFNAMSIZ (16) minus the trailing NUL. */
export const IFNAME_MAX_BYTES = 15;

/** Returns why `name` cannot be a kernel interface or namespace name, or undefined when it can. */
export function nameProblem(name: string, what = 'name'): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `${what} is empty`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > IFNAME_MAX_BYTES) return `${what} "${name}" is ${bytes} bytes; the kernel allows ${IFNAME_MAX_BYTES}`;
  if (name === '.' || name === '..') return `${what} "${name}" is not allowed`;
  if (/[\s/:]/u.test(name) || /[\u0000-\u001f\u007f]/u.test(name)) {
    return `${what} "${name}" contains whitespace, "/", ":" or a control character`;
  }
  return batchUnsafe(name, what);
}

/**
 * Names travel to `ip -batch` as words of a line, which ip splits on whitespace and reads quotes,
 * backslashes and `#` in; a leading `-` or the word `help` would be read as an option or a verb.
 */
function batchUnsafe(name: string, what: string): string | undefined {
  if (/["'\\#]/u.test(name)) return `${what} "${name}" contains a quote, backslash or "#"`;
  if (name.startsWith('-')) return `${what} "${name}" starts with "-"`;
  if (name === 'help') return `${what} "help" is reserved by ip`;
  return undefined;
}

/** Returns why a namespace name is invalid (it becomes a file under /run/netns), or undefined. */
export function namespaceNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'namespace name is empty';
  if (Buffer.byteLength(name, 'utf8') > 255) return `namespace name "${name}" is longer than 255 bytes`;
  if (name === '.' || name === '..') return `namespace name "${name}" is not allowed`;
  if (/[\s/]/u.test(name) || /[\u0000-\u001f\u007f]/u.test(name)) {
    return `namespace name "${name}" contains whitespace, "/" or a control character`;
  }
  return batchUnsafe(name, 'namespace name');
}

/** Canonical lowercase MAC `aa:bb:cc:dd:ee:ff`, or undefined when `mac` is not one. */
export function canonicalMac(mac: string): string | undefined {
  if (typeof mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/iu.test(mac)) return undefined;
  return mac.toLowerCase();
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/u.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted quad) into 16 bytes. */
function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/u.test(text)) return undefined;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail4 = v4;
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/u.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const want = 8 - tail4.length / 2;
  let words: number[];
  if (halves.length === 2) {
    const missing = want - left.length - right.length;
    if (missing < 1) return undefined;
    words = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== want) return undefined;
    words = left;
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return [...bytes, ...tail4];
}

/** Parses an IP address (no prefix) into family and bytes. */
export function parseIp(text: string): { family: Family; bytes: number[] } | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

/** Formats bytes as the kernel prints them: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIp(family: Family, bytes: number[]): string {
  if (family === 4) return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export interface Cidr {
  family: Family;
  bytes: number[];
  prefixlen: number;
}

/** Parses `ADDR/LEN`. The prefix length is required. */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/u.exec(text.trim());
  if (!m) return undefined;
  const ip = parseIp(m[1]!);
  if (!ip) return undefined;
  const prefixlen = Number(m[2]);
  if (prefixlen > (ip.family === 4 ? 32 : 128)) return undefined;
  return { ...ip, prefixlen };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.bytes)}/${c.prefixlen}`;
}

/** The network part of a prefix (host bits cleared). */
export function networkOf(c: Cidr): Cidr {
  const bytes = c.bytes.map((b, i) => {
    const bitsHere = Math.max(0, Math.min(8, c.prefixlen - i * 8));
    return b & ((0xff << (8 - bitsHere)) & 0xff);
  });
  return { family: c.family, bytes, prefixlen: c.prefixlen };
}

export function hasHostBits(c: Cidr): boolean {
  return networkOf(c).bytes.some((b, i) => b !== c.bytes[i]);
}

/** True when `ip` (an address without prefix) lies inside the prefix `net`. */
export function contains(net: Cidr, ip: { family: Family; bytes: number[] }): boolean {
  if (net.family !== ip.family) return false;
  const a = networkOf(net).bytes;
  const b = networkOf({ family: ip.family, bytes: ip.bytes, prefixlen: net.prefixlen }).bytes;
  return a.every((x, i) => x === b[i]);
}

/** Canonical form of an interface address: `10.0.0.1/24`, `fd00::1/64`. */
export function canonicalAddress(text: string): string | undefined {
  const c = parseCidr(text);
  return c ? formatCidr(c) : undefined;
}

/** Canonical form of a route destination: `default` for a zero-length prefix, else the prefix. */
export function canonicalDestination(text: string): { family?: Family; destination: string } | undefined {
  if (text === 'default') return { destination: 'default' };
  const c = parseCidr(text);
  if (!c) return undefined;
  if (c.prefixlen === 0) return { family: c.family, destination: 'default' };
  return { family: c.family, destination: formatCidr(c) };
}

export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip.family, ip.bytes) : undefined;
}

export function familyOf(text: string): Family | undefined {
  if (text.includes(':')) return 6;
  if (/^[0-9.]+(\/[0-9]+)?$/u.test(text)) return 4;
  return undefined;
}
