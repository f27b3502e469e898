import type { ScanIssue } from '../../core/scan-issue.js';
import { HTTPERR_DERIVED_FIELDS, isHttpErrFields, isHttpErrSoftware, splitHttpErrUri } from '../httperr-log/httperr-fields.js';
import { IIS_LOG_FIELDS, looksLikeIisLogLine, parseIisLogLine } from '../iis-log/iis-log-line.js';
import { NCSA_LOG_FIELDS, looksLikeNcsaLine, parseNcsaLogLine } from '../ncsa-log/ncsa-log-line.js';
import { IIS_DEFAULT_FIELDS, parseW3cDirective, w3cFieldNames } from '../w3c-log/w3c-directive.js';
import { fieldLayout, type FieldLayout } from './field-layout.js';
import { LINE_FLAG_CONTROL, LINE_FLAG_DECODED, LINE_FLAG_PERCENT } from './line-pass-module.js';
import { linePassFor, type LinePass } from './line-pass.js';
import { FieldRecord } from './field-record.js';
import { percentDecode } from './percent-decode.js';
import { utcTime } from './utc-time.js';
import type { WebLogFormat, WebRecord } from './web-record.js';

/**
 * Lets a reader skip building records for lines that cannot match: a byte automaton (class table,
 * transition table, group bits per state; see `NeedleAutomaton`) run inside the reader's own pass over
 * the bytes, where a negative table entry means needles ended there. A line is handed on with the group
 * bits of the needles found in it; `groupsIn` decides for a line that holds percent-escapes, from its
 * decoded text.
 */
export interface LinePrefilter {
  readonly classOf: Uint8Array;
  readonly delta: Int32Array;
  readonly classCount: number;
  readonly stateGroups: Uint8Array;
  groupsIn(decodedLine: string): number;
}

/** With no prefilter the byte pass needs no automaton: one class, one state that never matches (see `EVERY_LINE`). */
const MATCH_ALL: LinePrefilter = { classOf: new Uint8Array(256), delta: new Int32Array([0]), classCount: 1, stateGroups: new Uint8Array([0]), groupsIn: () => 0 };
/** Without a prefilter: every line is wanted, and handed on as holding every group. */
const EVERY_LINE = new Uint8Array(256).fill(1);

/** The default `wantedGroups`: a line is wanted when any needle occurs in it. */
const ANY_GROUP = Uint8Array.from({ length: 256 }, (_, groups) => (groups === 0 ? 0 : 1));

/** What a reader knows at a point of a file: enough to start reading a later part of the same file. */
export interface WebLogReaderState {
  readonly format: WebLogFormat | undefined;
  /** Field names of the last `#Fields` line, as written. */
  readonly fields: readonly string[] | undefined;
  /** Date of the last `#Date` directive (for layouts without a `date` field). */
  readonly date: string | undefined;
  readonly httpErr: boolean;
}

/** Counts for one file or one part of a file. */
export interface WebLogReaderStats {
  /** Physical lines seen, directives and blank lines included. */
  lines: number;
  /** Request lines parsed. */
  records: number;
  /** Lines that could not be parsed (each counted once). */
  skipped: number;
  bytes: number;
}

export interface WebLogReaderOptions {
  /** The file as the user named it; goes into records and issues. */
  readonly file: string;
  /**
   * Called for each wanted record with the group bits of the needles found in its line (0xff without a
   * prefilter) and, for W3C and HTTPERR lines, the prefilter's states (state numbers, see
   * `NeedleAutomaton.outputsOf`) where needles ended in the line, raw and decoded: undefined when not known
   * (no prefilter, a line only the full decoder could decode, more needles than the pass keeps). The states
   * are a view that is only valid during the call.
   */
  readonly onRecord: (record: WebRecord, needleGroups: number, needleStates?: ArrayLike<number>) => void;
  readonly onIssue: (issue: ScanIssue) => void;
  readonly prefilter?: LinePrefilter;
  /**
   * For the columns of the lines at hand, a table giving for each combination of the prefilter's group
   * bits (0–255) 1 when a line holding needles of exactly those groups is wanted. Lets a consumer ask for
   * needles of two groups together (a POST *and* a script page), or drop rules that need a field the log
   * does not have. Asked once per layout. Default: any group.
   */
  readonly wantedGroups?: (layout: FieldLayout, httpErr: boolean) => Uint8Array;
  /** Longest line accepted; longer lines are skipped without being held in memory. */
  readonly maxLineBytes?: number;
  /** Server offset from UTC in minutes, for the IIS log file format which logs local time. */
  readonly localOffsetMinutes?: number;
  /** State to start from when reading a later part of a file. */
  readonly state?: WebLogReaderState;
  /** Issues reported per code before the rest are only counted. */
  readonly maxIssuesPerCode?: number;
}

/** Default longest line: far above what IIS writes (its request limits keep lines well under this). */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024;
/** Bytes the line pass covers before the lines it listed are handled (whole lines; a longer line is taken whole). */
const PASS_BYTES = 64 * 1024;
const W3C_DATA_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /;

/**
 * Streaming reader for IIS logs: W3C extended (driven by `#Fields`, which may change mid-file), HTTPERR,
 * the IIS log file format and NCSA. The format is recognised from content. Feed it chunks with `push`,
 * then call `end`. Lines are scanned as bytes; a record is only built for lines the prefilter keeps.
 */
export class WebLogReader {
  readonly stats: WebLogReaderStats = { lines: 0, records: 0, skipped: 0, bytes: 0 };
  readonly #options: WebLogReaderOptions;
  readonly #maxLine: number;
  readonly #maxIssues: number;
  readonly #wantedByLayout = new Map<FieldLayout, Uint8Array>();
  #wantedLayout: FieldLayout | undefined;
  #wantedTable: Uint8Array = ANY_GROUP;
  readonly #issueCounts = new Map<string, number>();
  #format: WebLogFormat | undefined;
  #fields: readonly string[] | undefined;
  #layout: FieldLayout | undefined;
  #fieldCount = 0;
  #date: string | undefined;
  #httpErr = false;
  #assumedDefaults = false;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  #discarding = false;

  constructor(options: WebLogReaderOptions) {
    this.#options = options;
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#maxIssues = options.maxIssuesPerCode ?? 20;
    const state = options.state;
    if (state !== undefined) {
      this.#format = state.format;
      this.#httpErr = state.httpErr;
      this.#date = state.date;
      if (state.fields !== undefined) this.#setFields(state.fields);
    }
  }

  /** Where the reader stands now. */
  state(): WebLogReaderState {
    return { format: this.#format, fields: this.#fields, date: this.#date, httpErr: this.#httpErr };
  }

  /** Reads the next bytes of the file. */
  push(chunk: Buffer): void {
    this.stats.bytes += chunk.length;
    let offset = 0;
    if (this.#discarding) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.#discarding = false;
      offset = nl + 1;
    }
    if (this.#pendingLength > 0) {
      // Finish the line carried over from the last chunk on its own, so the chunk itself is never copied.
      const nl = chunk.indexOf(10, offset);
      if (nl < 0) {
        this.#appendPending(chunk.subarray(offset));
        return;
      }
      this.#pending.push(chunk.subarray(offset, nl + 1));
      const head = Buffer.concat(this.#pending, this.#pendingLength + nl + 1 - offset);
      this.#pending = [];
      this.#pendingLength = 0;
      this.#processBlock(head);
      offset = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= offset) this.#processBlock(chunk.subarray(offset, last + 1));
    this.#appendPending(chunk.subarray(Math.max(offset, last + 1)));
  }

  /** Reads what is left (a last line without a newline) and reports summary issues. */
  end(): void {
    if (this.#pendingLength > 0) {
      const block = Buffer.concat([...this.#pending, Buffer.from('\n')]);
      this.#pending = [];
      this.#pendingLength = 0;
      this.#processBlock(block);
    }
    if (this.stats.bytes === 0 && this.#options.state === undefined) {
      this.#issue('log.empty', 'the file is empty', undefined);
    }
    for (const [code, count] of this.#issueCounts) {
      if (count > this.#maxIssues) {
        this.#options.onIssue({ code, message: `${count - this.#maxIssues} more lines with this problem were skipped`, path: this.#options.file });
      }
    }
  }

  #appendPending(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.#pendingLength + piece.length > this.#maxLine) {
      this.stats.lines += 1;
      this.#skip('log.line-too-long', `line longer than ${this.#maxLine} bytes skipped`);
      this.#pending = [];
      this.#pendingLength = 0;
      this.#discarding = true;
      return;
    }
    // Copy: the chunk's memory may be reused by the stream that produced it.
    this.#pending.push(Buffer.from(piece));
    this.#pendingLength += piece.length;
  }

  /**
   * Splits a block of whole lines in one pass over its bytes, running the prefilter in the same pass.
   * Lines that need nothing more (well-formed W3C lines no needle can match) are only counted; the rest
   * are handled one by one. The pass stops after each directive, which may change the field count.
   */
  #processBlock(block: Buffer): void {
    const prefilter = this.#options.prefilter ?? MATCH_ALL;
    const table = linePassFor(prefilter);
    let position = 0;
    while (position < block.length) {
      const expected = this.#layout !== undefined && (this.#format === 'w3c' || this.#format === 'httperr') ? this.#fieldCount : -1;
      // A slice of the block at a time, so the lines to handle are still in the processor's caches when
      // they are read again (decoded, split), instead of a megabyte back.
      let end = block.length;
      if (end - position > PASS_BYTES) {
        const cut = block.lastIndexOf(10, position + PASS_BYTES - 1);
        end = cut >= position ? cut + 1 : block.length;
      }
      table.run(block, position, end, this.#wanted(), expected, this.#maxLine);
      const base = this.stats.lines;
      for (let i = 0; i < table.count; i += 1) {
        this.stats.lines = base + (table.lineIndex[i] as number) + 1;
        this.#handleLine(block, table, i, prefilter);
      }
      this.stats.lines = base + table.lines;
      this.stats.records += table.plain;
      position = table.next;
    }
  }

  /** The wanted-groups table for the current layout. */
  #wanted(): Uint8Array {
    const layout = this.#format === 'iis' ? IIS_LAYOUT : this.#format === 'ncsa' ? NCSA_LAYOUT : this.#layout;
    const ask = this.#options.wantedGroups;
    if (this.#options.prefilter === undefined) return EVERY_LINE;
    if (layout === undefined || ask === undefined) return ANY_GROUP;
    if (layout === this.#wantedLayout) return this.#wantedTable;
    let table = this.#wantedByLayout.get(layout);
    if (table === undefined) this.#wantedByLayout.set(layout, (table = ask(layout, this.#httpErr)));
    this.#wantedLayout = layout;
    this.#wantedTable = table;
    return table;
  }

  #handleLine(block: Buffer, table: LinePass, i: number, prefilter: LinePrefilter): void {
    const s = table.starts[i] as number;
    const e = table.ends[i] as number;
    if (e === s) return;
    if (e - s > this.#maxLine) {
      this.#skip('log.line-too-long', `line longer than ${this.#maxLine} bytes skipped`);
      return;
    }
    if (block[s] === 35 /* # */) {
      this.#directive(block.toString('utf8', s, e));
      return;
    }
    const lineFlags = table.flags[i] as number;
    if ((lineFlags & LINE_FLAG_CONTROL) !== 0) {
      this.#skip('log.binary-data', 'line holds control or NUL bytes (binary data or a damaged file)');
      return;
    }
    let wanted = this.#options.prefilter === undefined ? 0xff : (table.marks[i] as number);
    let states = this.#options.prefilter === undefined ? undefined : table.hitsOf(i);
    if ((lineFlags & (LINE_FLAG_PERCENT | LINE_FLAG_DECODED)) === LINE_FLAG_PERCENT && this.#options.prefilter !== undefined) {
      // Decoded text may hold needles of other groups than the raw line: both count. The pass decoded
      // every line it could; the rest need the full decoder.
      wanted |= prefilter.groupsIn(percentDecode(block.toString('latin1', s, e), true));
      states = undefined;
    }
    if (this.#format === undefined) this.#detect(block.toString('utf8', s, e));
    switch (this.#format) {
      case 'w3c':
      case 'httperr':
        this.#w3cLine(block, s, e, (table.spaces[i] as number) + 1, wanted, states);
        break;
      case 'iis':
        this.#iisLine(block.toString('utf8', s, e), wanted);
        break;
      case 'ncsa':
        this.#ncsaLine(block.toString('utf8', s, e), wanted);
        break;
      case undefined:
        this.#skip('log.unrecognized', 'line is not in any IIS log format (W3C, HTTPERR, IIS, NCSA)');
        break;
    }
  }

  #detect(text: string): void {
    if (looksLikeIisLogLine(text)) this.#format = 'iis';
    else if (looksLikeNcsaLine(text)) this.#format = 'ncsa';
    else if (W3C_DATA_LINE.test(text)) this.#format = 'w3c';
  }

  #directive(text: string): void {
    const directive = parseW3cDirective(text);
    if (directive === undefined) return;
    if (this.#format === undefined || this.#format === 'iis' || this.#format === 'ncsa') this.#format = 'w3c';
    if (directive.name === 'software' && isHttpErrSoftware(directive.value)) {
      this.#httpErr = true;
      this.#format = 'httperr';
    } else if (directive.name === 'date') {
      this.#date = directive.value.slice(0, 10);
    } else if (directive.name === 'fields') {
      const names = w3cFieldNames(directive.value);
      if (names.length === 0) {
        this.#issue('w3c.empty-fields', 'a #Fields directive lists no fields', this.stats.lines);
        return;
      }
      this.#assumedDefaults = false;
      this.#setFields(names);
    }
  }

  #setFields(names: readonly string[]): void {
    this.#fields = names;
    this.#fieldCount = names.length;
    if (isHttpErrFields(names)) {
      this.#httpErr = true;
      this.#format = 'httperr';
    }
    this.#layout = fieldLayout(this.#httpErr ? [...names, ...HTTPERR_DERIVED_FIELDS] : names);
  }

  #w3cLine(block: Buffer, s: number, e: number, valueCount: number, wanted: number, states: ArrayLike<number> | undefined): void {
    if (this.#layout === undefined) {
      if (valueCount === IIS_DEFAULT_FIELDS.length && !this.#httpErr) {
        this.#issue('w3c.fields-assumed', 'no #Fields line before the first request; read with the IIS default field set', this.stats.lines);
        this.#assumedDefaults = true;
        this.#setFields(IIS_DEFAULT_FIELDS);
      } else {
        this.#skip('w3c.no-fields', 'request line before any #Fields line');
        return;
      }
    }
    const layout = this.#layout as FieldLayout;
    if (valueCount !== this.#fieldCount) {
      this.#skip('w3c.field-count', `line has ${valueCount} fields where #Fields lists ${this.#fieldCount}`);
      return;
    }
    this.stats.records += 1;
    if (this.#wanted()[wanted] !== 1) return;
    const raw = block.toString('utf8', s, e);
    const values = raw.split(' ');
    if (this.#httpErr) {
      const uriIndex = layout.index.get('cs-uri');
      values.push(...splitHttpErrUri(uriIndex === undefined ? undefined : values[uriIndex]));
    }
    const dateIndex = layout.index.get('date');
    const timeIndex = layout.index.get('time');
    const date = dateIndex === undefined ? this.#date : values[dateIndex];
    const time = timeIndex === undefined || date === undefined ? undefined : utcTime(date, values[timeIndex] ?? '');
    this.#options.onRecord(new FieldRecord(this.#httpErr ? 'httperr' : 'w3c', this.#options.file, this.stats.lines, raw, time, layout, values), wanted, states);
  }

  #iisLine(text: string, wanted: number): void {
    const parsed = parseIisLogLine(text, this.#options.localOffsetMinutes ?? 0);
    if (parsed === undefined) {
      this.#skip('iis.bad-line', 'line does not have the 15 comma-separated fields of the IIS log file format');
      return;
    }
    this.stats.records += 1;
    if (this.#wanted()[wanted] === 1) this.#options.onRecord(new FieldRecord('iis', this.#options.file, this.stats.lines, text, parsed.time, IIS_LAYOUT, parsed.values), wanted);
  }

  #ncsaLine(text: string, wanted: number): void {
    const parsed = parseNcsaLogLine(text);
    if (parsed === undefined) {
      this.#skip('ncsa.bad-line', 'line is not an NCSA Common Log Format line');
      return;
    }
    this.stats.records += 1;
    if (this.#wanted()[wanted] === 1) this.#options.onRecord(new FieldRecord('ncsa', this.#options.file, this.stats.lines, text, parsed.time, NCSA_LAYOUT, parsed.values), wanted);
  }

  #skip(code: string, message: string): void {
    this.stats.skipped += 1;
    this.#issue(code, message, this.stats.lines);
  }

  #issue(code: string, message: string, line: number | undefined): void {
    const count = (this.#issueCounts.get(code) ?? 0) + 1;
    this.#issueCounts.set(code, count);
    if (count > this.#maxIssues) return;
    this.#options.onIssue(line === undefined ? { code, message, path: this.#options.file } : { code, message, path: this.#options.file, line });
  }

  /** Whether the IIS default field set had to be assumed. */
  get assumedDefaults(): boolean {
    return this.#assumedDefaults;
  }
}

const IIS_LAYOUT = fieldLayout(IIS_LOG_FIELDS);
const NCSA_LAYOUT = fieldLayout(NCSA_LOG_FIELDS);
