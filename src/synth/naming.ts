/**
 * Deterministic derivation of kernel interface names that fit IFNAMSIZ.
 */
import { createHash } from 'node:crypto';
import { IFNAME_MAX_BYTES } from '../plan/net.js';

/** Hex digits of the hash in a shortened name. */
const HASH_LEN = 4;

/** UTF-8 byte length. */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The longest prefix of `s` that is at most `max` UTF-8 bytes, never splitting a character. */
export function truncateBytes(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = byteLength(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/** A short, stable hash (lowercase hex) of `input`. */
export function shortHash(input: string, length = HASH_LEN): string {
  return createHash('sha256').update(input, 'utf8').digest('hex').slice(0, length);
}

/**
 * A derived interface name: `stem + suffix` when that fits in 15 bytes; otherwise the stem is
 * cut and a hash of the full name and `salt` (the construct path) keeps it unique:
 * `stem8-hash-a`. Pure and deterministic; the result is always at most 15 bytes for a suffix
 * of at most 5 bytes.
 *
 * @param stem    the readable part, e.g. the lab prefix and the construct id (`lab1-uplink`)
 * @param suffix  what tells siblings apart, e.g. `-a`; kept whole
 * @param salt    distinguishes equal stems in different places (the construct path)
 */
export function deriveInterfaceName(stem: string, suffix: string, salt: string): string {
  const full = `${stem}${suffix}`;
  if (byteLength(full) <= IFNAME_MAX_BYTES) return full;
  const hash = shortHash(`${full}\u0000${salt}`);
  const room = Math.max(0, IFNAME_MAX_BYTES - byteLength(suffix) - HASH_LEN - 1);
  const head = truncateBytes(stem, room).replace(/[-_.]+$/u, '');
  const name = head ? `${head}-${hash}${suffix}` : `${hash}${suffix}`;
  return truncateBytes(name, IFNAME_MAX_BYTES);
}
