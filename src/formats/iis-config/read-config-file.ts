import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ScanIssue } from '../../core/scan-issue.js';
import { parseXml, type ParseXmlLimits } from '../xml/parse-xml.js';
import { XmlError } from '../xml/xml-error.js';
import type { XmlElement } from '../xml/xml-element.js';

/** Largest configuration file read by default; real applicationHost.config files stay far below it. */
export const DEFAULT_MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** A configuration file's element tree, or the ScanIssue that explains why there is none. */
export type ConfigFileResult = { readonly root: XmlElement } | { readonly issue: ScanIssue };

/**
 * Reads and parses one configuration file without ever holding more than `maxBytes` + 1 bytes,
 * turning every failure into a ScanIssue (`config.too-large`, `config.doctype`, `config.malformed`, `config.unreadable`).
 */
export async function readConfigFile(file: string, maxBytes: number = DEFAULT_MAX_CONFIG_BYTES, limits: Partial<ParseXmlLimits> = {}): Promise<ConfigFileResult> {
  let bytes: Buffer;
  try {
    // Non-blocking open so a FIFO or device planted under a config name cannot stall the scan.
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) {
        return { issue: { code: 'config.unreadable', message: 'configuration path is not a regular file; not read', path: file } };
      }
      // Read one byte past the limit rather than trusting stat: the file may grow or be a device.
      const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max((await handle.stat()).size, 0) + 1));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      bytes = buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { issue: { code: 'config.unreadable', message: `cannot read configuration file: ${describe(error)}`, path: file } };
  }
  if (bytes.length > maxBytes) {
    return { issue: { code: 'config.too-large', message: `configuration file is larger than ${maxBytes} bytes; not read`, path: file } };
  }
  try {
    return { root: parseXml(decode(bytes), { maxLength: maxBytes, ...limits }) };
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    const code = error.code === 'xml.doctype' ? 'config.doctype' : error.code === 'xml.malformed' ? 'config.malformed' : 'config.too-large';
    return { issue: { code, message: `configuration file refused: ${error.message}`, path: file, line: error.line } };
  }
}

/** Decodes by byte-order mark: IIS writes UTF-8, but UTF-16 copies exist (exports, Notepad). */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
