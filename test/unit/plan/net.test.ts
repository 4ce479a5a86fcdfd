import fc from 'fast-check';
import { canonicalAddress, canonicalDestination, contains, formatIp, nameProblem, parseCidr, parseIp } from '../../../src/plan/net.js';

describe('interface names', () => {
  it.each([
    ['veth-red', undefined],
    ['a'.repeat(15), undefined],
    ['a'.repeat(16), 'is 16 bytes; the kernel allows 15'],
    ['ééééééééé', 'is 18 bytes'],
    ['has space', 'whitespace'],
    ['a/b', '"/"'],
    ['.', 'not allowed'],
    ['..', 'not allowed'],
    ['x#y', '"#"'],
    ['-x', 'starts with "-"'],
    ['', 'empty'],
  ])('%j is judged %j', (name, problem) => {
    const p = nameProblem(name, 'interface name');
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });
});

describe('IP parsing and canonical forms', () => {
  it.each([
    ['10.10.0.1/24', '10.10.0.1/24'],
    ['FD00:0:0:0:0:0:0:1/64', 'fd00::1/64'],
    ['2001:db8:0:0:1:0:0:1/48', '2001:db8::1:0:0:1/48'],
    ['::1/128', '::1/128'],
    ['::ffff:1.2.3.4/128', '::ffff:102:304/128'],
    ['fe80:0:0:1:0:0:0:0/64', 'fe80:0:0:1::/64'], ['fe80::1:0:0:0/64', 'fe80::1:0:0:0/64'],
  ])('%s becomes %s', (input, want) => {
    expect(canonicalAddress(input)).toBe(want);
  });

  it.each(['10.0.0.256/24', '10.0.0.1/33', '10.0.0.1', '1::2::3/64', 'fd00::1/129', '010.0.0.1/8', '1:2:3:4:5:6:7:8:9/64', 'x/1'])(
    'rejects %s', (input) => {
      expect(canonicalAddress(input)).toBeUndefined();
    });

  it('spells a zero-length prefix as default and keeps its family', () => {
    expect(canonicalDestination('0.0.0.0/0')).toEqual({ family: 4, destination: 'default' });
    expect(canonicalDestination('::/0')).toEqual({ family: 6, destination: 'default' });
    expect(canonicalDestination('10.0.0.0/8')).toEqual({ family: 4, destination: '10.0.0.0/8' });
  });

  it('finds a gateway inside a connected subnet and not outside it', () => {
    expect(contains(parseCidr('10.20.0.1/24')!, parseIp('10.20.0.254')!)).toBe(true);
    expect(contains(parseCidr('10.20.0.1/24')!, parseIp('10.20.1.254')!)).toBe(false);
    expect(contains(parseCidr('fd00::1/64')!, parseIp('fd00::ffff')!)).toBe(true);
    expect(contains(parseCidr('fd00::1/64')!, parseIp('10.0.0.1')!)).toBe(false);
  });

  it('formats any 16 bytes to a string that parses back to the same bytes', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), (bytes) => {
      const text = formatIp(6, bytes);
      expect(parseIp(text)).toEqual({ family: 6, bytes });
      expect(text).not.toMatch(/:::/);
    }));
  });
});
