import fc from 'fast-check';
import { deriveInterfaceName, shortHash, truncateBytes } from '../../../src/synth/naming.js';
import { nameProblem } from '../../../src/plan/net.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('deriveInterfaceName', () => {
  test('keeps a name that fits unchanged', () => {
    expect(deriveInterfaceName('cable', '-a', 'lab/cable/a')).toBe('cable-a');
    expect(deriveInterfaceName('twelve-bytes', '-a', 'x')).toBe('twelve-bytes-a');
  });

  test('shortens a long name to stem-hash-suffix of exactly 15 bytes', () => {
    const name = deriveInterfaceName('uplink-to-the-core-router', '-b', 'lab/uplink-to-the-core-router/b');

    expect(name).toMatch(/^uplink-t-[0-9a-f]{4}-b$/u);
    expect(bytes(name)).toBe(15);
  });

  test('drops separators at the cut so names never show a double dash', () => {
    expect(deriveInterfaceName('abcdefg-hijklmnopq', '-a', 'x')).toMatch(/^abcdefg-[0-9a-f]{4}-a$/u);
  });

  test('never splits a multi-byte character', () => {
    const name = deriveInterfaceName('ééééééééééé', '-a', 'x');

    expect(bytes(name)).toBeLessThanOrEqual(15);
    expect(name).toMatch(/^é{4}-[0-9a-f]{4}-a$/u);
  });

  test('is at most 15 bytes, deterministic and salted by the construct path for any stem', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('-a', '-b'), fc.string(), (stem, suffix, salt) => {
        const name = deriveInterfaceName(stem, suffix, salt);
        expect(bytes(name)).toBeLessThanOrEqual(15);
        expect(deriveInterfaceName(stem, suffix, salt)).toBe(name);
        expect(name.endsWith(suffix)).toBe(true);
      }),
    );
  });

  test('gives kernel-valid names for construct-like ids', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/u), (id) => {
        expect(nameProblem(deriveInterfaceName(id, '-a', `lab/${id}`))).toBeUndefined();
      }),
    );
  });
});

describe('truncateBytes and shortHash', () => {
  test('truncateBytes cuts at a character boundary', () => {
    expect(truncateBytes('abc', 2)).toBe('ab');
    expect(truncateBytes('aé', 2)).toBe('a');
    expect(truncateBytes('', 5)).toBe('');
  });

  test('shortHash is stable lowercase hex of the requested length', () => {
    expect(shortHash('lab/cable')).toBe(shortHash('lab/cable'));
    expect(shortHash('lab/cable')).toMatch(/^[0-9a-f]{4}$/u);
    expect(shortHash('x', 8)).toHaveLength(8);
  });
});
