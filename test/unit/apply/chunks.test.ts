/**
 * The host batch in chunks (apply.ts hostChunks): every line once, in order within its chunk, no
 * line before the chunk of a namespace it needs, and a namespace reported complete only in the
 * chunk of its last line.
 */
import { hostChunks } from '../../../src/engine/apply/apply.js';
import type { HostStep } from '../../../src/engine/apply/batches.js';

/** A chain: namespaces n0…n(N-1), a veth between neighbours; replaced n0 is deleted first. */
function chain(n: number): HostStep[] {
  const steps: HostStep[] = [{ line: 'netns del n0', namespaces: [] }];
  for (let i = 0; i < n; i++) steps.push({ line: `netns add n${i}`, namespaces: [`n${i}`] });
  steps.push({ line: 'link add name br0 type bridge', namespaces: [] });
  for (let i = 1; i < n; i++) steps.push({ line: `link add name r${i} netns n${i - 1} type veth peer name l${i} netns n${i}`, namespaces: [`n${i - 1}`, `n${i}`] });
  steps.push({ line: 'link add name up0 type veth peer name eth9 netns old', namespaces: ['old'] });
  return steps;
}

describe('host batch chunks', () => {
  it('keeps every line once, the order of lines within a chunk, and deletes and host bridges in the first', () => {
    const steps = chain(100);
    const chunks = hostChunks(steps);
    expect(chunks.length).toBe(4);
    const all = chunks.flatMap((c) => c.lines);
    expect([...all].sort()).toEqual(steps.map((x) => x.line).sort());
    for (const c of chunks) {
      const idx = c.lines.map((l) => steps.findIndex((x) => x.line === l));
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
    }
    expect(chunks[0]!.lines.slice(0, 1)).toEqual(['netns del n0']);
    expect(chunks[0]!.lines).toContain('link add name br0 type bridge');
  });

  it('puts no line before the chunk that adds a namespace it needs, and completes a namespace with its last line', () => {
    const steps = chain(100);
    const chunks = hostChunks(steps);
    const addedIn = new Map<string, number>();
    chunks.forEach((c, k) => c.lines.forEach((l) => l.startsWith('netns add ') && addedIn.set(l.slice(10), k)));
    const completedIn = new Map<string, number>();
    chunks.forEach((c, k) => c.completes.forEach((ns) => completedIn.set(ns, k)));
    chunks.forEach((c, k) => {
      for (const l of c.lines) {
        const step = steps.find((x) => x.line === l)!;
        for (const ns of step.namespaces) {
          expect(addedIn.get(ns) ?? 0).toBeLessThanOrEqual(k);
          expect(completedIn.get(ns)).toBeGreaterThanOrEqual(k);
        }
      }
    });
    expect(completedIn.size).toBe(101); // n0…n99 and the existing namespace "old"
    // n24's veth to n25 is created with n25: n24 is complete one chunk after it was added.
    expect(completedIn.get('n24')).toBe(addedIn.get('n25'));
  });

  it('makes one chunk of a small batch, and none of an empty one', () => {
    expect(hostChunks(chain(3))).toHaveLength(1);
    expect(hostChunks([])).toEqual([]);
  });

  it('stops at eight chunks', () => {
    expect(hostChunks(chain(1000))).toHaveLength(8);
  });
});
