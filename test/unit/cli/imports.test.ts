/**
 * execa stays off the nslab command's path: only src/testing/process.ts uses it, through a
 * dynamic import, so the CLI and the engine never pay its load time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const sources = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);

describe('where execa is loaded', () => {
  it('is imported statically by no source file, and dynamically only by the test fixtures\' process module', () => {
    const files = [...sources('src'), ...sources('constructs')];
    const statically = files.filter((f) => /^import (?!type )[^;]*from 'execa'/mu.test(readFileSync(join(ROOT, f), 'utf8')));
    const dynamically = files.filter((f) => readFileSync(join(ROOT, f), 'utf8').includes("import('execa')"));
    expect(statically).toEqual([]);
    expect(dynamically).toEqual(['src/testing/process.ts']);
  });
});
