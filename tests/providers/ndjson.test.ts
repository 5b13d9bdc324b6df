import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NdjsonDecoder } from '../../src-main/providers/ndjson.js';
import { splitAwkwardly } from '../helpers/ollama-standin.js';

function decodeAll(pieces: Uint8Array[]): unknown[] {
  const d = new NdjsonDecoder();
  return [...pieces.flatMap((p) => d.push(p)), ...d.end()];
}

describe('NdjsonDecoder', () => {
  const objects = [{ a: 'Grüße' }, { b: '😀 日本語' }, { done: true, eval_count: 3 }];
  const bytes = new TextEncoder().encode(objects.map((o) => JSON.stringify(o)).join('\n') + '\n');

  it('one byte at a time gives the same objects', () => {
    expect(decodeAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(objects);
  });

  it('the stand-in split (mid-line, mid-character, lines sharing a chunk) gives the same objects', () => {
    const pieces = splitAwkwardly(Buffer.from(bytes));
    expect(pieces.length).toBeGreaterThan(objects.length);
    expect(pieces.some((p) => p.includes(0x0a) && p.indexOf(0x0a) < p.length - 1)).toBe(true);
    expect(decodeAll(pieces)).toEqual(objects);
  });

  it('any split of any NDJSON stream gives the objects back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (objs, cuts) => {
          const b = new TextEncoder().encode(objs.map((o) => JSON.stringify(o)).join('\n') + (objs.length ? '\n' : ''));
          const at = [...new Set(cuts.map((c) => (b.length ? c % b.length : 0)))].sort((x, y) => x - y);
          const pieces: Uint8Array[] = [];
          let from = 0;
          for (const c of at) {
            pieces.push(b.subarray(from, c));
            from = c;
          }
          pieces.push(b.subarray(from));
          expect(decodeAll(pieces)).toEqual(objs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a last line without a newline still counts; blank lines are skipped', () => {
    const enc = new TextEncoder();
    expect(decodeAll([enc.encode('{"x":1}\n\n{"y":'), enc.encode('2}')])).toEqual([{ x: 1 }, { y: 2 }]);
  });
});
