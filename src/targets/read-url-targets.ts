import { readFile } from 'node:fs/promises';
import type { ScanIssue } from '../core/scan-issue.js';
import { InputError } from './input-error.js';

/** The sites `scan` tests, as base URLs, and the lines of a target list that could not be used. */
export interface UrlTargets {
  readonly urls: string[];
  readonly issues: ScanIssue[];
}

/** Thrown for a target named on the command line that is not a usable http(s) URL or host name. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/**
 * Parses targets: `https://host[:port][/path]`, or a bare `host[:port]` (taken as https). URLs from the
 * command line must be valid (TargetError); bad lines of a `--targets` file become issues. Duplicates are dropped.
 */
export async function readUrlTargets(args: readonly string[], listFile: string | undefined): Promise<UrlTargets> {
  const urls: string[] = [];
  const issues: ScanIssue[] = [];
  const seen = new Set<string>();
  const add = (url: string): void => {
    if (!seen.has(url)) urls.push(url);
    seen.add(url);
  };
  for (const arg of args) {
    const url = normalizeTarget(arg);
    if (url === undefined) throw new TargetError(`${JSON.stringify(arg)} is not an http(s) URL or host name.`);
    add(url);
  }
  if (listFile !== undefined) {
    let text: string;
    try {
      text = await readFile(listFile, 'utf8');
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      throw new InputError(code === 'ENOENT' ? 'input.not-found' : 'input.unreadable', listFile, `${JSON.stringify(listFile)} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code || 'unknown error'})`}.`, { cause: error });
    }
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const url = normalizeTarget(line);
      if (url === undefined) issues.push({ code: 'target.invalid', message: `not an http(s) URL or host name: ${JSON.stringify(line.slice(0, 200))}`, path: listFile, line: index + 1 });
      else add(url);
    });
  }
  return { urls, issues };
}

/** `https://host:port/path` without query, fragment or trailing slash; undefined when not usable. */
export function normalizeTarget(text: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
