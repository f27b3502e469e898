#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../scan/tool-version.js';
import { InputError } from '../targets/input-error.js';
import { auditCommand } from './audit-command.js';
import { EXIT, UsageError } from './exit-code.js';
import { feedsCommand } from './feeds-command.js';
import { eventsCommand } from './events-command.js';
import { evtxCommand } from './evtx-command.js';
import { findingsCommand } from './findings-command.js';
import { huntCommand } from './hunt-command.js';
import { inventoryCommand } from './inventory-command.js';
import { rulesCommand } from './rules-command.js';
import { scanCommand } from './scan-command.js';
import { suppressCommand } from './suppress-command.js';
import { sweepCommand } from './sweep-command.js';
import { hostCommand } from './host-command.js';

/** Runs the command line and returns the exit code; all output goes through process streams. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const program = new Command('w3guard')
    .description('Tells whether Microsoft IIS servers are exposed or already compromised, and what to fix first.')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .addCommand(huntCommand(controller.signal))
    .addCommand(rulesCommand())
    .addCommand(auditCommand(controller.signal))
    .addCommand(inventoryCommand(controller.signal))
    .addCommand(feedsCommand(controller.signal))
    .addCommand(sweepCommand(controller.signal))
    .addCommand(scanCommand(controller.signal))
    .addCommand(eventsCommand(controller.signal))
    .addCommand(evtxCommand(controller.signal))
    .addCommand(findingsCommand())
    .addCommand(suppressCommand())
    .addCommand(hostCommand(controller.signal));
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
