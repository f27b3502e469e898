import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, rowNamer } from './open-store.js';

describe('rowNamer', () => {
  it('names each value by its column, a later column of the same name winning', () => {
    const named = rowNamer(['a', 'b', 'a']);
    expect(named([1, 'two', 3])).toEqual({ a: 3, b: 'two' });
    expect(Object.keys(named([1, 2, 3]))).toEqual(['a', 'b']);
  });

  it('takes any text as a name without running it', () => {
    const names = ['"};throw 1;({"', 'x\ny', 'line\u2028separator', '\\', 'constructor', ''];
    const row = rowNamer(names)(names.map((_, i) => i));
    expect(Object.entries(row)).toEqual(names.map((name, i) => [name, i]));
  });

  it('makes __proto__ an own property, never the prototype', () => {
    const row = rowNamer(['id', '__proto__'])([1, { polluted: true }]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
    expect((row as { polluted?: unknown }).polluted).toBeUndefined();
    expect(row['id']).toBe(1);
  });
});

describe('SQLite rows', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it('come back named by their columns, nulls and numbers as SQLite gives them', async () => {
    folder = mkdtempSync(join(tmpdir(), 'w3g-rows-'));
    const store = await openStore(join(folder, 'store.db'));
    try {
      const { rows } = await sql<Record<string, unknown>>`select 1 as "one", null as "none", 'x' as "__proto__", 2.5 as "one"`.execute(store.database);
      expect(rows).toHaveLength(1);
      expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
      expect({ ...rows[0] }).toEqual({ one: 2.5, none: null, ['__proto__']: 'x' });
    } finally {
      await store.close();
    }
  });
});
