import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../e2e/run-cli.js';

/** The web shell the sweep finds, planted in a bare host root (no IIS configuration): its path and rule. */
export interface PlantedRoot {
  readonly dir: string;
  readonly root: string;
  readonly shell: string;
  readonly ruleId: string;
}

export function plantedRoot(): PlantedRoot {
  const dir = mkdtempSync(join(tmpdir(), 'w3g-jobs-host-'));
  const root = join(dir, 'WEB7');
  mkdirSync(join(root, 'inetpub', 'wwwroot', 'shop'), { recursive: true });
  const ruleId = 'w3g-yara-webshell-eval-request';
  const sample = resolve(REPO_ROOT, `src/analyzers/webroot-sweep/fixtures/yara-samples/${ruleId}`);
  const name = readdirSync(sample).find((file) => file.startsWith('match.')) ?? 'match.aspx';
  const shell = join(root, 'inetpub', 'wwwroot', 'shop', name);
  copyFileSync(join(sample, name), shell);
  return { dir, root, shell, ruleId };
}
