import { describe, expect, it } from 'vitest';
import type { RuleMeta } from '../../core/rule-meta.js';
import { FieldRuleIndex, type FieldNeedleDetector } from './field-rule-index.js';

type Fields = ReadonlyMap<string, string | number | null | readonly (string | number | null)[]>;

const detector = (id: string, fieldNeedles: readonly string[] | undefined): FieldNeedleDetector<Fields> => ({
  meta: { id } as RuleMeta,
  fieldNeedles,
  test: () => true,
});

const ids = (found: readonly FieldNeedleDetector<Fields>[]): string[] => found.map((d) => d.meta.id);

describe('FieldRuleIndex', () => {
  const index = new FieldRuleIndex([
    detector('image-cmd', ['\0image\0\\cmd.exe']),
    detector('cli-whoami', ['\0commandline\0whoami', '\0parentimage\0\\w3wp.exe']),
    detector('keyword', ['\0\0mimikatz']),
    detector('no-needles', undefined),
    detector('port', ['\0destinationport\u00004444']),
  ]);

  it('wakes a detector only for a needle in the field it came from', () => {
    const record: Fields = new Map([
      ['image', ['C:\\Windows\\System32\\CMD.EXE']],
      ['commandline', ['cmd.exe /c dir']],
    ]);
    expect(ids(index.candidates(record))).toEqual(['image-cmd', 'no-needles']);
    // The same text in another field wakes nothing.
    expect(ids(index.candidates(new Map([['parentimage', ['c:\\windows\\system32\\cmd.exe']]])))).toEqual(['no-needles']);
  });

  it('searches every field for a keyword, numbers as text, and skips nulls', () => {
    const record: Fields = new Map<string, readonly (string | number | null)[]>([
      ['user', [null, 'x']],
      ['details', ['Invoke-Mimikatz']],
      ['destinationport', [4444]],
      ['parentimage', ['c:\\windows\\system32\\inetsrv\\w3wp.exe']],
    ]);
    expect(ids(index.candidates(record))).toEqual(['cli-whoami', 'keyword', 'no-needles', 'port']);
  });

  it('wakes the same detectors for a value equal to the last record\'s, in a field with needles or keywords only', () => {
    const built = new FieldRuleIndex([detector('image-cmd', ['\0image\0\\cmd.exe']), detector('keyword', ['\0\0mimikatz'])]);
    // The keyword is found in `a` first; `b`'s value still wakes it, and is remembered as doing so.
    expect(ids(built.candidates(new Map([['a', 'mimikatz'], ['b', 'MIMIKATZ'], ['image', 'c:\\cmd.exe']])))).toEqual(['image-cmd', 'keyword']);
    expect(ids(built.candidates(new Map([['b', 'MIMIKATZ']])))).toEqual(['keyword']);
    expect(ids(built.candidates(new Map([['image', 'c:\\cmd.exe']])))).toEqual(['image-cmd']);
    expect(ids(built.candidates(new Map([['image', 'c:\\cmd.exe'], ['b', 'x']])))).toEqual(['image-cmd']);
    expect(ids(built.candidates(new Map([['b', 'x']])))).toEqual([]);
    // A list holding the value is searched too.
    expect(ids(built.candidates(new Map([['b', ['x', 'MIMIKATZ']]])))).toEqual(['keyword']);
  });

  it('agrees with a naive per-field search on random records, values often repeated (property test)', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // `d` is named by no needle: only keywords are searched there.
    const fields = ['a', 'b', 'c'];
    const recordFields = [...fields, 'd'];
    const alphabet = 'abAB.\\';
    const word = (max: number): string => Array.from({ length: 1 + rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 200; round += 1) {
      const detectors = Array.from({ length: 1 + rand(5) }, (_, d) =>
        detector(
          `d${d}`,
          Array.from({ length: 1 + rand(3) }, () => `\0${rand(4) === 0 ? '' : fields[rand(fields.length)]}\0${word(3).toLowerCase()}`),
        ),
      );
      const built = new FieldRuleIndex(detectors);
      let previous: Fields = new Map();
      for (let k = 0; k < 10; k += 1) {
        // Half the values equal the last record's (as a copy of the text, or the same number).
        const value = (f: string): string | number => {
          const held = previous.get(f);
          const last = Array.isArray(held) ? (held as readonly (string | number | null)[])[0] : (held as string | number | null | undefined);
          if (last !== undefined && last !== null && rand(2) === 0) return typeof last === 'string' ? ` ${last}`.slice(1) : last;
          return rand(5) === 0 ? rand(3) : word(12);
        };
        // Values alone, or in lists (of one or two).
        const record: Fields = new Map(recordFields.filter(() => rand(3) > 0).map((f) => [f, rand(3) === 0 ? [value(f), ...(rand(2) === 0 ? [word(6)] : [])] : value(f)]));
        previous = record;
        const naive = detectors.filter((d) =>
          (d.fieldNeedles ?? []).some((tagged) => {
            const [, field, needle] = tagged.split('\0') as [string, string, string];
            const values = field === '' ? [...record.values()].flat() : [record.get(field) ?? []].flat();
            return values.some((v) => v !== null && String(v).toLowerCase().includes(needle));
          }),
        );
        expect(ids(built.candidates(record))).toEqual(ids(naive));
      }
    }
  });
});
