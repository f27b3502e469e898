import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { evtxRecordJson, stringifyEvtxJson } from '../formats/evtx/evtx-record-json.js';
import { evtxRecordXml } from '../formats/evtx/evtx-record-xml.js';
import { EvtxFormatError, readEvtxFile } from '../formats/evtx/read-evtx-file.js';
import { findEvtxFiles } from '../targets/find-evtx-files.js';
import { EXIT, UsageError } from './exit-code.js';

const DUMP_FORMATS = ['jsonl', 'json', 'xml'] as const;
type DumpFormat = (typeof DUMP_FORMATS)[number];

interface DumpFlags {
  format: DumpFormat;
  output?: string;
}

/** Writes text, waiting when the stream is full, so a large dump never piles up in memory. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Control characters other than tab and newline in problem messages would reach the terminal: escape them. */
function safe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `w3guard evtx dump FILE…`: records as JSON (the evtx crate's shape) or XML (evtxexport's), for other tools. */
export function evtxCommand(signal: AbortSignal): Command {
  const dump = new Command('dump')
    .description("print the records of EVTX files as JSON lines (the Rust evtx crate's shape), a JSON array, or XML")
    .argument('<paths...>', 'EVTX files or folders (searched for *.evtx)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(DUMP_FORMATS).default('jsonl'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (paths: string[], flags: DumpFlags) => {
      const sources = await findEvtxFiles(paths, (issue) => process.stderr.write(`w3guard: ${safe(issue.message)}\n`));
      let out: Writable = process.stdout;
      if (flags.output !== undefined) {
        const file = createWriteStream(flags.output);
        await new Promise<void>((resolve, reject) => {
          file.once('open', () => resolve());
          file.once('error', (error) => reject(new UsageError(`cannot write ${JSON.stringify(flags.output)}: ${'code' in error ? String(error.code) : error.message}.`)));
        });
        out = file;
      }
      let first = true;
      if (flags.format === 'json') await write(out, '[');
      for (const source of sources) {
        try {
          for await (const batch of readEvtxFile(source.path, signal)) {
            let text = '';
            for (const record of batch.records) {
              if (flags.format === 'xml') text += `${evtxRecordXml(record)}\n`;
              else {
                const json = stringifyEvtxJson(evtxRecordJson(record));
                text += flags.format === 'jsonl' ? `${json}\n` : `${first ? '\n' : ',\n'}${json}`;
                first = false;
              }
            }
            // Once the chunk's records are read: a record's damage is met on the way.
            for (const issue of batch.issues) process.stderr.write(`w3guard: ${safe(source.path)}: ${issue.code} at offset ${issue.offset}: ${safe(issue.message)}\n`);
            if (text !== '') await write(out, text);
          }
        } catch (error) {
          if (!(error instanceof EvtxFormatError)) throw error;
          process.stderr.write(`w3guard: ${safe(source.path)}: ${error.code}: ${error.message}\n`);
        }
      }
      if (flags.format === 'json') await write(out, first ? ']\n' : '\n]\n');
      if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
      process.exitCode = EXIT.ok;
    });
  return new Command('evtx').description('work with Windows event log (EVTX) files').addCommand(dump);
}
