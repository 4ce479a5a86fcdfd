import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabNameError, resolveLab, selectLabs, stateLabs } from '../../../src/cli/labs.js';

describe('lab name resolution (--lab NAME)', () => {
  const duo = { lab: 'duo', prefix: 'nwc' };
  const other = { lab: 'solo', prefix: '' };

  it('takes a bare name: the lab whose name it is, whatever its prefix', () => {
    expect(resolveLab('duo', [duo, other], 'x', '')).toBe(duo);
  });

  it('takes the key (prefix + name)', () => {
    expect(resolveLab('nwcduo', [duo, other], 'x', '')).toBe(duo);
    expect(resolveLab('nwcduo', [duo, other], 'x', 'nwc')).toBe(duo);
  });

  it('with NSLAB_PREFIX set, resolves a bare name to NSLAB_PREFIX + name before any other lab of that name', () => {
    const plain = { lab: 'duo', prefix: 'x-' };
    expect(resolveLab('duo', [plain, duo], 'x', 'nwc')).toBe(duo);
    // and a lab prefix after NSLAB_PREFIX: NSLAB_PREFIX=t1, prefix "t1b-", name copy-b
    const copy = { lab: 'copy-b', prefix: 't1b-' };
    expect(resolveLab('b-copy-b', [copy], 'x', 't1')).toBe(copy);
  });

  it('prefers an exact key to a lab of that name under another prefix', () => {
    const bare = { lab: 'duo', prefix: '' };
    expect(resolveLab('duo', [duo, bare], 'x', '')).toBe(bare);
  });

  it('refuses an ambiguous name, listing the candidates', () => {
    const a = { lab: 'duo', prefix: 'a-' };
    const b = { lab: 'duo', prefix: 'b-' };
    expect(() => resolveLab('duo', [a, b], 'the file', '')).toThrow(new LabNameError('lab name "duo" is ambiguous in the file: it names a-duo, b-duo; give the lab\'s key (prefix + name)'));
  });

  it('refuses a name that matches no lab, saying where it looked and what is there', () => {
    expect(() => resolveLab('trio', [duo, other], '/var/lib/nslab', 'nwc')).toThrow('no lab "trio" in /var/lib/nslab (labs there: nwcduo, solo)');
    expect(() => resolveLab('trio', [], 'dir', '')).toThrow('no lab "trio" in dir (labs there: none)');
  });

  it('selects every lab when no name is given', () => {
    expect(selectLabs(undefined, [duo, other], 'x')).toEqual([duo, other]);
  });

  it('lists the labs of a state directory with their names and prefixes, a broken state file by its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-labs-'));
    try {
      writeFileSync(join(dir, 'nwcduo.state.json'), JSON.stringify({ version: 1, lab: 'duo', prefix: 'nwc', key: 'nwcduo', resources: {} }));
      writeFileSync(join(dir, 'bad.state.json'), '{');
      expect(stateLabs(dir)).toEqual([{ lab: 'bad', prefix: '', key: 'bad' }, { lab: 'duo', prefix: 'nwc', key: 'nwcduo' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
