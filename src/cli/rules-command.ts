import { Command } from 'commander';
import { WEB_BEHAVIOR_RULES } from '../analyzers/weblog/behavior-rules.js';
import { loadWebRules, WEB_CONTENT_DIR } from '../analyzers/weblog/load-web-rules.js';
import { compileSigmaRules } from '../engines/sigma/compile-sigma-rules.js';
import { hasSigmaError } from '../engines/sigma/sigma-diagnostic.js';
import { loadSigmaRules } from '../engines/sigma/load-sigma-rules.js';
import { escapeTerminal } from '../report/escape-terminal.js';
import { EXIT } from './exit-code.js';

/** `w3guard rules lint|list`: check rule folders, show what a hunt runs. Sets `process.exitCode`. */
export function rulesCommand(): Command {
  const rules = new Command('rules').description('check Sigma rule files and list the detection content');
  rules
    .command('lint')
    .description('load and compile Sigma rules; print every problem as file:line and exit 1 if a rule is broken')
    .argument('<paths...>', 'rule files or folders (searched for *.yml, *.yaml)')
    .action(async (paths: string[]) => {
      const loaded = await loadSigmaRules(paths);
      const compiled = compileSigmaRules(loaded.rules);
      const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
      const out = diagnostics.map((d) => `${escapeTerminal(d.file)}:${d.line}: ${d.severity} ${d.code}: ${escapeTerminal(d.message)}\n`).join('');
      process.stdout.write(out);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      process.stderr.write(`${loaded.files.length} files, ${loaded.rules.length} rules read, ${compiled.compiled.length} compiled, ${errors} errors, ${diagnostics.length - errors} warnings\n`);
      process.exitCode = hasSigmaError(diagnostics) ? EXIT.findings : EXIT.ok;
    });
  rules
    .command('list')
    .description('list the rules a hunt runs: w3guard content and any --sigma rules for IIS web logs')
    .option('--sigma <path>', 'also list the Sigma rules in this file or folder (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-content', "leave out w3guard's own detection content")
    .action(async (flags: { sigma: string[]; content: boolean }) => {
      const loaded = await loadWebRules({ content: flags.content, sigmaPaths: flags.sigma });
      const lines = loaded.detectors.map((d) => {
        const needles = d.needles === undefined ? 'every line' : `${d.needles.length} needles`;
        return `${d.meta.severity.padEnd(8)} ${escapeTerminal(d.meta.id)}  ${escapeTerminal(d.meta.title)}  [${d.meta.engine}, ${needles}]\n`;
      });
      const behavior = flags.content ? WEB_BEHAVIOR_RULES : [];
      for (const meta of behavior) lines.push(`${meta.severity.padEnd(8)} ${escapeTerminal(meta.id)}  ${escapeTerminal(meta.title)}  [behavior, whole hunt]\n`);
      process.stdout.write(lines.join(''));
      process.stderr.write(
        `${loaded.detectors.length} rules and ${behavior.length} behaviour detectors for IIS web logs (content: ${flags.content ? WEB_CONTENT_DIR : 'off'}); ${loaded.otherLogsource} for other log sources; ${loaded.diagnostics.length} diagnostics\n`,
      );
      process.exitCode = EXIT.ok;
    });
  return rules;
}
