import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkYaraSources, compileYara, fileVariables } from './yara-engine.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EVAL_YARA = path.resolve(REPO_ROOT, '..', 'shared', 'eval', 'yara');

const GOOD = 'rule good_one { strings: $a = "needle-one" condition: $a }';
const BROKEN = 'rule fine_first { condition: true }\n\nrule broken_two {\n  condition: no_such_identifier\n}';
const OTHER = 'rule good_two : web { meta: score = 70 strings: $a = "needle-two" condition: $a }';

describe('YARA-X adapter', () => {
  it('reports a broken file with its line and still loads the others', () => {
    const { accepted, diagnostics } = checkYaraSources([
      { path: 'a.yar', text: GOOD },
      { path: 'b.yar', text: BROKEN },
      { path: 'c.yar', text: OTHER },
    ]);
    expect(accepted.map((s) => s.path)).toEqual(['a.yar', 'c.yar']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ path: 'b.yar', line: 4, code: 'yara.e009' });
    expect(diagnostics[0]?.message).toMatch(/no_such_identifier/);
    const { scanner } = compileYara(accepted);
    const found = scanner.scan(Buffer.from('xx needle-two yy needle-one'), fileVariables('x.txt'));
    expect(found.map((m) => m.rule).sort()).toEqual(['good_one', 'good_two']);
    expect(found.find((m) => m.rule === 'good_two')).toMatchObject({ tags: ['web'], meta: { score: 70 }, patterns: ['$a'] });
  });

  it('compiles files that clash (a rule declared twice) by leaving the later one out with a diagnostic', () => {
    const { scanner, diagnostics } = compileYara([
      { path: 'a.yar', text: GOOD },
      { path: 'again.yar', text: GOOD },
      { path: 'c.yar', text: OTHER },
    ]);
    expect(diagnostics.map((d) => [d.path, d.line, d.code])).toEqual([['again.yar', 1, 'yara.e012']]);
    expect(diagnostics[0]?.message).toMatch(/duplicate rule `good_one`/);
    expect(scanner.scan(Buffer.from('needle-one needle-two'), fileVariables('x')).map((m) => m.rule).sort()).toEqual(['good_one', 'good_two']);
  });

  it('sets the Loki/THOR file variables per file, and survives names that look like numbers', () => {
    const { scanner } = compileYara([{ path: 'v.yar', text: 'rule by_ext { condition: extension == "aspx" and filename contains "shell" }' }]);
    expect(scanner.scan(Buffer.from('x'), fileVariables('/srv/www/shell.aspx'))).toHaveLength(1);
    expect(scanner.scan(Buffer.from('x'), fileVariables('/srv/www/shell.html'))).toHaveLength(0);
    expect(scanner.scan(Buffer.from('x'), fileVariables('/srv/www/17066654873033'))).toHaveLength(0);
  });

  it.skipIf(!existsSync(EVAL_YARA))('loads the signature-base and ESET BadIIS rules of ../shared/eval/yara (skipped: ../shared is absent)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, name.name);
        if (name.isDirectory()) walk(full);
        else if (/\.ya?ra?$/i.test(name.name)) files.push(full);
      }
    };
    walk(EVAL_YARA);
    const { accepted, diagnostics } = checkYaraSources(files.map((f) => ({ path: path.relative(EVAL_YARA, f), text: readFileSync(f, 'utf8') })));
    const refused = [...new Set(diagnostics.map((d) => d.path))];
    console.log(`YARA-X: ${accepted.length} of ${files.length} rule files of ../shared/eval/yara compile; refused: ${refused.length === 0 ? 'none' : diagnostics.map((d) => `${d.path}:${d.line ?? '?'} ${d.message}`).join('; ')}`);
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(accepted.length).toBe(files.length);
    const { scanner, diagnostics: clashes } = compileYara(accepted);
    console.log(`YARA-X: compiled together with ${clashes.length} clashing files`);
    expect(scanner.scan(Buffer.from('<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'), fileVariables('x.aspx')).length).toBeGreaterThan(0);
  });
});
