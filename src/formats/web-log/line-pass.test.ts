import { describe, expect, it } from 'vitest';
import { NeedleAutomaton } from '../../engines/needle/needle-automaton.js';
import { LINE_PASS_LAYOUT } from './line-pass-module.js';
import { LinePass, type LinePassAutomaton } from './line-pass.js';

interface Listed {
  start: number;
  end: number;
  spaces: number;
  flags: number;
  marks: number;
  /** State numbers where needles ended, raw then decoded. */
  hits: number[] | undefined;
  line: number;
}

interface PassResult {
  listed: Listed[];
  lines: number;
  plain: number;
  /** Where each pass stopped. */
  stops: number[];
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The reference for `decoded`: the automaton over a line's bytes as one round of percent-decoding gives them, or -1. */
function referenceDecoded(block: Uint8Array, s: number, e: number, a: LinePassAutomaton, hits: number[] = []): number {
  const { classOf, delta, classCount, stateGroups } = a;
  let state = 0;
  let groups = 0;
  for (let i = s; i < e; i += 1) {
    let b = block[i] as number;
    if (b === 37) {
      const h1 = hexDigit(block[i + 1] ?? 0);
      const h2 = i + 2 < e ? hexDigit(block[i + 2] ?? 0) : -1;
      if (h1 >= 0 && h2 >= 0) {
        b = h1 * 16 + h2;
        i += 2;
        if (b === 37 || b === 0xc0 || b === 0xc1 || b === 0xe0 || b === 0xf0) return -1;
      } else if (i + 1 < e && ((block[i + 1] as number) | 0x20) === 117) return -1;
    } else if (b === 43) b = 32;
    const t = delta[state + (classOf[b] as number)] as number;
    if (t < 0) {
      state = ~t;
      groups |= stateGroups[state / classCount] as number;
      hits.push(state / classCount);
    } else state = t;
  }
  return groups;
}

/**
 * The reference: the byte pass as the reader ran it in JavaScript, whole lines from `from` to `to`,
 * stopping after a `#` line, with the decoded scan of a request line with percent signs. The WebAssembly
 * pass must list the same lines with the same counts.
 */
function referencePass(block: Uint8Array, from: number, to: number, a: LinePassAutomaton, wanted: Uint8Array, expected: number, maxLine: number) {
  const { classOf, delta, classCount, stateGroups } = a;
  const listed: Omit<Listed, 'line'>[] = [];
  const lineIndex: number[] = [];
  let lines = 0;
  let plain = 0;
  let lineStart = from;
  let spaces = 0;
  let flags = 0;
  let state = 0;
  let marked = 0;
  let hits: number[] = [];
  let i = from;
  for (; i < to; i += 1) {
    const b = block[i] as number;
    const t = delta[state + (classOf[b] as number)] as number;
    if (t < 0) {
      state = ~t;
      marked |= stateGroups[state / classCount] as number;
      hits.push(state / classCount);
    } else state = t;
    if (b > 37) continue;
    if (b === 32) spaces += 1;
    else if (b === 10) {
      const end = i > lineStart && block[i - 1] === 13 ? i - 1 : i;
      const directive = block[lineStart] === 35;
      if (flags === 1 && !directive) {
        const decoded = referenceDecoded(block, lineStart, end, a, hits);
        if (decoded >= 0) {
          marked |= decoded;
          flags = 5;
        }
      }
      if (wanted[marked] === 0 && (flags === 0 || flags === 5) && spaces + 1 === expected && !directive && end > lineStart && end - lineStart <= maxLine) plain += 1;
      else {
        listed.push({ start: lineStart, end, spaces, flags, marks: marked, hits: hits.length > LINE_PASS_LAYOUT.hitCapacity ? undefined : hits });
        lineIndex.push(lines);
      }
      lines += 1;
      lineStart = i + 1;
      hits = [];
      spaces = 0;
      flags = 0;
      marked = 0;
      state = 0;
      if (directive) {
        i += 1;
        break;
      }
    } else if (b === 37) flags |= 1;
    else if (b < 32 && b !== 9 && b !== 13) flags |= 2;
  }
  return { listed, lineIndex, lines, plain, next: i };
}

/** Runs passes over the whole block as the reader does, numbering listed lines from the block's start. */
function wholeBlock(run: (from: number) => { listed: Omit<Listed, 'line'>[]; lineIndex: number[]; lines: number; plain: number; next: number }, length: number): PassResult {
  const result: PassResult = { listed: [], lines: 0, plain: 0, stops: [] };
  let position = 0;
  while (position < length) {
    const pass = run(position);
    pass.listed.forEach((line, k) => result.listed.push({ ...line, line: result.lines + (pass.lineIndex[k] as number) }));
    result.lines += pass.lines;
    result.plain += pass.plain;
    result.stops.push(pass.next);
    expect(pass.next).toBeGreaterThan(position);
    position = pass.next;
  }
  return result;
}

function wasmRun(pass: LinePass, block: Uint8Array, wanted: Uint8Array, expected: number, maxLine: number) {
  return (from: number) => {
    pass.run(block, from, block.length, wanted, expected, maxLine);
    const listed = Array.from({ length: pass.count }, (_, k) => ({
      start: pass.starts[k] as number,
      end: pass.ends[k] as number,
      spaces: pass.spaces[k] as number,
      flags: pass.flags[k] as number,
      marks: pass.marks[k] as number,
      hits: ((h) => (h === undefined ? undefined : Array.from(h)))(pass.hitsOf(k)),
    }));
    return { listed, lineIndex: Array.from(pass.lineIndex.subarray(0, pass.count)), lines: pass.lines, plain: pass.plain, next: pass.next };
  };
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NEEDLES = ['${jndi:', 'web.config', ' post ', '.aspx ', '%2e%2e', 'union select', 'union+select', '/ecp/', ' 404', 'cmd.exe'];
const GROUPS = [1, 1, 32, 4, 1, 128, 128, 64, 2, 1];
const automaton = NeedleAutomaton.build(NEEDLES, GROUPS);
const ANY = Uint8Array.from({ length: 256 }, (_, g) => (g === 0 ? 0 : 1));
/** Lines with both bits 32 and 4 only (a POST to a script page), or a rule's bit. */
const PAIRS = Uint8Array.from({ length: 256 }, (_, g) => ((g & 1) !== 0 || (g & 36) === 36 ? 1 : 0));

const PIECES = [
  '2024-01-01 00:00:01 10.0.0.1 GET /default.aspx - 443 - 1.2.3.4 Mozilla/5.0 - 200 0 0 15',
  '2024-01-01 00:00:02 10.0.0.1 POST /shell.aspx cmd=whoami 443 - 1.2.3.4 curl - 200 0 0 15',
  '2024-01-01 00:00:03 10.0.0.1 GET /a/..%2f..%2fweb.config - 443 - 1.2.3.4 x - 404 0 0 1',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
  '#Software: Microsoft Internet Information Services 10.0',
  '2024-01-01 00:00:04 10.0.0.1 GET /ecp/ q=union+select 443 - 1.2.3.4 ${jndi:ldap://x} - 500 0 0 1',
  '2024-01-01 00:00:05 10.0.0.1 GET /a%2Fweb%2econfig q=union%20select 443 - 1.2.3.4 x - 200 0 0 1',
  '2024-01-01 00:00:06 10.0.0.1 GET /%252e%252e/ - 443 - 1.2.3.4 x - 200 0 0 1',
  '2024-01-01 00:00:07 10.0.0.1 GET /a q=%u002e%c0%af%4 443 - 1.2.3.4 %24%7Bjndi: - 200 0 0 %',
  '2024-01-01 00:00:08 10.0.0.1 POST%20/x.aspx%20 - 443 - 1.2.3.4 x - 200 0 0 1',
  '',
  '\r',
  'bin\u0000ary \u0007 line',
  'tab\there',
];

function randomBlock(next: () => number, lines: number): Uint8Array {
  const out: string[] = [];
  for (let k = 0; k < lines; k += 1) {
    let line = PIECES[Math.floor(next() * PIECES.length)] as string;
    const roll = next();
    if (roll < 0.1) line = line.replaceAll(' ', '  ');
    else if (roll < 0.2) line = `${line}\r`;
    else if (roll < 0.25) line = line.toUpperCase();
    else if (roll < 0.3) line = Array.from({ length: Math.floor(next() * 80) }, () => String.fromCharCode(Math.floor(next() * 256))).join('').replaceAll('\n', ' ');
    out.push(line);
  }
  return Buffer.from(`${out.join('\n')}\n`, 'latin1');
}

describe('LinePass', () => {
  it('lists the same lines with the same counts as the JavaScript pass, on random blocks and settings', () => {
    const next = random(7);
    const pass = new LinePass(automaton);
    for (let round = 0; round < 200; round += 1) {
      const block = randomBlock(next, 1 + Math.floor(next() * 60));
      const wanted = next() < 0.5 ? ANY : PAIRS;
      const expected = next() < 0.2 ? -1 : 15;
      const maxLine = next() < 0.2 ? 40 : 256 * 1024;
      const want = wholeBlock((from) => referencePass(block, from, block.length, automaton, wanted, expected, maxLine), block.length);
      const got = wholeBlock(wasmRun(pass, block, wanted, expected, maxLine), block.length);
      expect(got).toEqual(want);
    }
  });

  it('decodes a line as the JavaScript scan does, or gives -1 for a line that needs the full decoder', () => {
    const next = random(11);
    const pass = new LinePass(automaton);
    const alphabet = ['%', '%2', '%2e', '%2E', '%25', '%u', '%U0041', '%c0', '%e0%80', '%41', '+', ' ', 'web.config', 'union', 'select', 'jndi:', '$', '{', 'x', '%24%7b'];
    for (let round = 0; round < 2000; round += 1) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const block = Buffer.from(`${text}\n`, 'latin1');
      expect([text, pass.decoded(block, 0, block.length - 1)]).toEqual([text, referenceDecoded(block, 0, block.length - 1, automaton)]);
    }
    expect(pass.decoded(Buffer.from('a%2e%2e%2fweb%2Econfig\n'), 0, 22)).toBe(1);
    expect(pass.decoded(Buffer.from('%2541\n'), 0, 5)).toBe(-1);
  });

  it('starts the automaton afresh on each line and marks the groups of the needles found', () => {
    const block = Buffer.from('a GET /a/web.con x\nfig x y z\na POST /x.aspx y\na UNION+SELECT 1 2\n');
    const pass = new LinePass(automaton);
    pass.run(block, 0, block.length, ANY, 4, 1000);
    expect(pass.count).toBe(2);
    expect([pass.starts[0], pass.ends[0], pass.marks[0], pass.lineIndex[0]]).toEqual([29, 45, 32 | 4, 2]);
    expect([pass.marks[1], pass.lineIndex[1]]).toEqual([128, 3]);
    expect([pass.lines, pass.plain, pass.next]).toEqual([4, 2, block.length]);
  });

  it('keeps the states where needles ended per listed line, and says when a pass had more than it holds', () => {
    // Six hits a line: the hit table fills before the line table (16,384 hits, 4,096 lines).
    const line = 'web.config a web.config b web.config c web.config d web.config e web.config\n';
    const block = Buffer.from(line.repeat(3000));
    const pass = new LinePass(automaton);
    pass.run(block, 0, block.length, ANY, 11, 1000);
    expect(pass.count).toBe(3000);
    const ended = referencePass(Buffer.from(line), 0, line.length, automaton, ANY, 11, 1000).listed[0];
    expect(ended?.hits).toHaveLength(6);
    const fitting = Math.floor(LINE_PASS_LAYOUT.hitCapacity / 6);
    expect(Array.from(pass.hitsOf(0) ?? [])).toEqual(ended?.hits);
    expect(Array.from(pass.hitsOf(fitting - 1) ?? [])).toEqual(ended?.hits);
    expect(pass.hitsOf(fitting)).toBeUndefined();
    expect(pass.hitsOf(2999)).toBeUndefined();
    // The next pass starts with an empty hit table.
    pass.run(block, 0, line.length * 2, ANY, 11, 1000);
    expect(Array.from(pass.hitsOf(1) ?? [])).toEqual(ended?.hits);
  });

  it('stops when its table is full, and goes on from there', () => {
    const lines = LINE_PASS_LAYOUT.capacity + 10;
    const block = Buffer.from('x\n'.repeat(lines));
    const pass = new LinePass(automaton);
    pass.run(block, 0, block.length, ANY, 5, 1000);
    expect([pass.count, pass.lines, pass.next]).toEqual([LINE_PASS_LAYOUT.capacity, LINE_PASS_LAYOUT.capacity, 2 * LINE_PASS_LAYOUT.capacity]);
    pass.run(block, pass.next, block.length, ANY, 5, 1000);
    expect([pass.count, pass.lines, pass.next, pass.starts[0]]).toEqual([10, 10, block.length, 2 * LINE_PASS_LAYOUT.capacity]);
  });

  it('grows its memory for a pass longer than it holds, and keeps its tables', () => {
    const long = `GET /${'a'.repeat(3 * 1024 * 1024)} web.config\n`;
    const block = Buffer.from(`a b\n${long}c d\n`);
    const pass = new LinePass(automaton);
    pass.run(block, 0, block.length, PAIRS, 2, 8 * 1024 * 1024);
    expect([pass.count, pass.lines, pass.plain]).toEqual([1, 3, 2]);
    expect([pass.starts[0], pass.ends[0], pass.spaces[0], pass.marks[0]]).toEqual([4, 4 + long.length - 1, 2, 1]);
  });

  it('refuses a transition table that does not match its states', () => {
    expect(() => new LinePass({ ...automaton, delta: new Int32Array(3) })).toThrow(RangeError);
  });
});
