import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import type { ScanIssue } from '../core/scan-issue.js';
import { parseEpss, type EpssScores } from '../formats/epss/parse-epss.js';
import { parseKev, type KevCatalog } from '../formats/kev/parse-kev.js';

/** KEV and EPSS data for a run, with where each came from. */
export interface Feeds {
  readonly kev?: KevCatalog & { readonly source: string };
  readonly epss?: EpssScores & { readonly source: string };
  readonly issues: ScanIssue[];
}

/** File names inside a feeds folder. */
export const KEV_FILE = 'kev.json';
export const EPSS_FILE = 'epss.csv';
export const MANIFEST_FILE = 'feeds.json';
/** The KEV snapshot shipped in `content/feeds/`, used until `feeds update` stores a copy. */
export const SHIPPED_KEV = fileURLToPath(new URL('feeds/kev.json', CONTENT_ROOT));
const MAX_FEED_BYTES = 512 * 1024 * 1024;

/** The user's feeds folder: `$XDG_CACHE_HOME/w3guard/feeds`, else `~/.cache/w3guard/feeds`. */
export function defaultFeedsDir(): string {
  const cache = process.env['XDG_CACHE_HOME'];
  return path.join(cache !== undefined && cache !== '' ? cache : path.join(homedir(), '.cache'), 'w3guard', 'feeds');
}

/** Loads KEV from the feeds folder (else the shipped snapshot) and EPSS from the feeds folder when it holds a copy. */
export async function loadFeeds(feedsDir: string): Promise<Feeds> {
  const issues: ScanIssue[] = [];
  const stored = path.join(feedsDir, KEV_FILE);
  let kev: Feeds['kev'];
  for (const source of (await exists(stored)) ? [stored, SHIPPED_KEV] : [SHIPPED_KEV]) {
    try {
      kev = { ...parseKev(await readCapped(source)), source };
      break;
    } catch (error) {
      issues.push({ code: 'feed.kev-unreadable', message: `The KEV catalogue ${source} cannot be used (${error instanceof Error ? error.message : String(error)}).`, path: source });
    }
  }
  let epss: Feeds['epss'];
  const epssPath = path.join(feedsDir, EPSS_FILE);
  if (await exists(epssPath)) {
    try {
      epss = { ...parseEpss(await readCapped(epssPath)), source: epssPath };
    } catch (error) {
      issues.push({ code: 'feed.epss-unreadable', message: `The EPSS scores ${epssPath} cannot be used (${error instanceof Error ? error.message : String(error)}).`, path: epssPath });
    }
  }
  return { ...(kev === undefined ? {} : { kev }), ...(epss === undefined ? {} : { epss }), issues };
}

async function readCapped(file: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_FEED_BYTES) throw new Error(`${size} bytes is over the ${MAX_FEED_BYTES}-byte limit`);
  return readFile(file, 'utf8');
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
