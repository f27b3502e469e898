#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../scan/tool-version.js';
import { InputError } from '../targets/input-error.js';
import { EXIT, UsageError } from './exit-code.js';

/**
 * Every command, in the order help lists them, each loaded on use: a run of one command loads that
 * command's modules only (a hunt does not start up the scanner's HTTP stack or the database drivers).
 */
const COMMANDS: readonly (readonly [string, (signal: AbortSignal) => Promise<Command>])[] = [
  ['host', async (signal) => (await import('./host-command.js')).hostCommand(signal)],
  ['hunt', async (signal) => (await import('./hunt-command.js')).huntCommand(signal)],
  ['rules', async () => (await import('./rules-command.js')).rulesCommand()],
  ['audit', async (signal) => (await import('./audit-command.js')).auditCommand(signal)],
  ['inventory', async (signal) => (await import('./inventory-command.js')).inventoryCommand(signal)],
  ['feeds', async (signal) => (await import('./feeds-command.js')).feedsCommand(signal)],
  ['sweep', async (signal) => (await import('./sweep-command.js')).sweepCommand(signal)],
  ['scan', async (signal) => (await import('./scan-command.js')).scanCommand(signal)],
  ['events', async (signal) => (await import('./events-command.js')).eventsCommand(signal)],
  ['evtx', async (signal) => (await import('./evtx-command.js')).evtxCommand(signal)],
  ['findings', async () => (await import('./findings-command.js')).findingsCommand()],
  ['suppress', async () => (await import('./suppress-command.js')).suppressCommand()],
  ['user', async () => (await import('./user-command.js')).userCommand()],
  ['token', async () => (await import('./token-command.js')).tokenCommand()],
  ['serve', async (signal) => (await import('./serve-command.js')).serveCommand(signal)],
  ['worker', async (signal) => (await import('./worker-command.js')).workerCommand(signal)],
];

/** Runs the command line and returns the exit code; all output goes through process streams. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const program = new Command('w3guard')
    .description('Tells whether Microsoft IIS servers are exposed or already compromised, and what to fix first.')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  // The command named first on the line is the one that runs; anything else (help, a typo) needs them all.
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  for (const command of await Promise.all((named.length > 0 ? named : COMMANDS).map(([, load]) => load(controller.signal)))) program.addCommand(command);
  // Sub-commands added as objects do not inherit these: errors must reach the catch below, printed once.
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ outputError: () => undefined });
    command.commands.forEach(quiet);
  };
  program.commands.forEach(quiet);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) {
      process.stderr.write('w3guard: interrupted\n');
      return EXIT.interrupted;
    }
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      process.stderr.write(`w3guard: ${error.message.replace(/^error: /, '')}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof InputError) {
      process.stderr.write(`w3guard: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`w3guard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

process.exitCode = await main(process.argv);
