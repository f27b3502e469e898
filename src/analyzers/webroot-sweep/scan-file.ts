import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileVariables, type YaraMatch, type YaraScanner } from '../../engines/yara/yara-engine.js';

/** Bytes of the start of each file kept for the placement rules (magic numbers, PE header). */
export const HEAD_BYTES = 1024;

/** What reading and matching one file gave. */
export interface FileScan {
  readonly head: Uint8Array;
  readonly matches: readonly YaraMatch[];
  /** SHA-256 of the bytes read (the whole file unless `truncated`). */
  readonly sha256?: string;
  readonly scannedBytes: number;
  readonly truncated: boolean;
  /** Hosts of external `<script src>` in a master page or layout, which every page of the site serves. */
  readonly scriptHosts?: readonly string[];
  /** Why the rules could not run on the file, when they could not (the placement rules still did). */
  readonly yaraError?: string;
  /** Why the file could not be read, when it could not. */
  readonly error?: string;
}

/** Reads at most `maxBytes` of one file (never more, whatever its size says), hashes them and runs the rules. */
export function scanFile(filePath: string, size: number, scanner: YaraScanner | undefined, options: { maxBytes: number; hash: boolean }): FileScan {
  const limit = Math.min(size, options.maxBytes);
  let fd: number;
  try {
    fd = openSync(filePath, 'r');
  } catch (error) {
    return { head: new Uint8Array(0), matches: [], scannedBytes: 0, truncated: false, error: describe(error) };
  }
  try {
    const data = Buffer.allocUnsafe(limit);
    let read = 0;
    // The size came from lstat; a file that shrank since gives fewer bytes, one that grew is cut at the limit.
    while (read < limit) {
      const n = readSync(fd, data, read, limit - read, read);
      if (n === 0) break;
      read += n;
    }
    const bytes = data.subarray(0, read);
    let matches: YaraMatch[] = [];
    let yaraError: string | undefined;
    try {
      if (scanner !== undefined) matches = scanner.scan(bytes, fileVariables(filePath));
    } catch (error) {
      yaraError = describe(error);
    }
    const scriptHosts = isLayout(filePath) ? externalScriptHosts(bytes.subarray(0, LAYOUT_BYTES).toString('latin1')) : undefined;
    return {
      head: Uint8Array.prototype.slice.call(bytes, 0, HEAD_BYTES),
      ...(scriptHosts === undefined ? {} : { scriptHosts }),
      matches,
      ...(options.hash ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}),
      scannedBytes: read,
      truncated: size > options.maxBytes,
      ...(yaraError === undefined ? {} : { yaraError }),
    };
  } catch (error) {
    return { head: new Uint8Array(0), matches: [], scannedBytes: 0, truncated: false, error: describe(error) };
  } finally {
    closeSync(fd);
  }
}

const LAYOUT_BYTES = 1024 * 1024;
// Master pages, Razor layouts, and the header and footer includes of classic ASP and PHP sites: served with every page.
const LAYOUT = /(\.master|(^|[\\/])_layout[^\\/]*\.(cs|vb)html|(^|[\\/])(head|header|top|footer|bottom|common)[^\\/]{0,20}\.(inc|asp|php))$/i;

function isLayout(filePath: string): boolean {
  return LAYOUT.test(filePath);
}

/** The host names of `<script src="http(s)://host/…">` and protocol-relative `//host/…` in a page. */
export function externalScriptHosts(text: string): string[] {
  const hosts = new Set<string>();
  for (const m of text.matchAll(/<script\b[^>]{0,400}?\bsrc\s*=\s*["']?\s*(?:https?:)?\/\/([a-z0-9.-]{1,253})/gi)) {
    if (m[1] !== undefined) hosts.add(m[1].toLowerCase());
    if (hosts.size >= 32) break;
  }
  return [...hosts].sort();
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}
