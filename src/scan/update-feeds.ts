import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { gunzipSync } from 'node:zlib';
import { parseEpss } from '../formats/epss/parse-epss.js';
import { parseKev } from '../formats/kev/parse-kev.js';
import { EPSS_FILE, KEV_FILE, MANIFEST_FILE } from './load-feeds.js';

/** CISA's published KEV catalogue. */
export const DEFAULT_KEV_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
/** FIRST's daily EPSS scores (gzip-compressed CSV). */
export const DEFAULT_EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';

/** Where `feeds update` gets its files and keeps them. */
export interface UpdateFeedsRequest {
  readonly feedsDir: string;
  readonly kevUrl: string;
  readonly epssUrl: string;
  /** An offline bundle folder holding kev.json (or known_exploited_vulnerabilities.json) and epss.csv[.gz]; no network when given. */
  readonly from?: string;
  readonly now: () => Date;
  readonly signal: AbortSignal;
  /** Per download. */
  readonly timeoutMs?: number;
}

/** What happened to one feed. */
export interface FeedOutcome {
  readonly feed: 'kev' | 'epss';
  readonly status: 'updated' | 'kept-previous' | 'failed';
  readonly message: string;
  readonly record?: FeedRecord;
}

/** What the manifest records about a stored feed. */
export interface FeedRecord {
  readonly source: string;
  readonly sha256: string;
  readonly fetchedAt: string;
  readonly bytes: number;
  readonly count: number;
  /** KEV: the catalogue's release date; EPSS: the score date. */
  readonly feedDate?: string;
  readonly version?: string;
}

const MAX_DOWNLOAD = 256 * 1024 * 1024;
const MAX_INFLATED = 1024 * 1024 * 1024;
/** A feed that shrinks below this share of the stored copy is more likely broken than real (KEV only grows). */
const MIN_SHARE_OF_PREVIOUS = 0.9;

/** Downloads (or copies from a bundle), verifies and stores KEV and EPSS; a feed that fails keeps its previous copy. */
export async function updateFeeds(request: UpdateFeedsRequest): Promise<FeedOutcome[]> {
  await mkdir(request.feedsDir, { recursive: true });
  const manifest = await readManifest(request.feedsDir);
  const outcomes: FeedOutcome[] = [];
  for (const feed of ['kev', 'epss'] as const) {
    const previous = manifest[feed];
    const outcome = await updateOne(feed, request, previous);
    if (outcome.record !== undefined) manifest[feed] = outcome.record;
    outcomes.push(outcome);
  }
  await writeAtomic(path.join(request.feedsDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return outcomes;
}

async function updateOne(feed: 'kev' | 'epss', request: UpdateFeedsRequest, previous: FeedRecord | undefined): Promise<FeedOutcome> {
  const keep = (reason: string): FeedOutcome =>
    previous === undefined
      ? { feed, status: 'failed', message: `${reason}; no previous copy is stored` }
      : { feed, status: 'kept-previous', message: `${reason}; kept the copy of ${previous.feedDate ?? previous.fetchedAt}` };
  let raw: Buffer;
  let source: string;
  try {
    ({ raw, source } = request.from === undefined ? await download(feed === 'kev' ? request.kevUrl : request.epssUrl, request) : await fromBundle(feed, request.from));
  } catch (error) {
    return keep(`could not get it (${error instanceof Error ? error.message : String(error)})`);
  }
  let text: string;
  try {
    // Both feeds may come compressed; the gzip magic number decides, not the name.
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { maxOutputLength: MAX_INFLATED }) : raw).toString('utf8');
  } catch (error) {
    return keep(`it does not decompress (${error instanceof Error ? error.message : String(error)})`);
  }
  let count: number;
  let feedDate: string | undefined;
  let version: string | undefined;
  try {
    if (feed === 'kev') {
      const kev = parseKev(text);
      count = kev.entries.size;
      feedDate = kev.dateReleased;
      version = kev.catalogVersion;
    } else {
      const epss = parseEpss(text);
      count = epss.scores.size;
      feedDate = epss.scoreDate;
      version = epss.modelVersion;
    }
  } catch (error) {
    return keep(`it does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
  if (count === 0) return keep('it holds no entries');
  if (previous !== undefined && count < previous.count * MIN_SHARE_OF_PREVIOUS) return keep(`it holds ${count} entries, far fewer than the ${previous.count} stored`);
  if (feed === 'kev' && previous?.feedDate !== undefined && feedDate !== undefined && Date.parse(feedDate) < Date.parse(previous.feedDate)) {
    return keep(`it is older (${feedDate}) than the stored catalogue (${previous.feedDate})`);
  }
  const record: FeedRecord = {
    source,
    sha256: createHash('sha256').update(raw).digest('hex'),
    fetchedAt: request.now().toISOString(),
    bytes: raw.length,
    count,
    ...(feedDate === undefined ? {} : { feedDate }),
    ...(version === undefined ? {} : { version }),
  };
  // Stored decompressed, so a run reads it without inflating; the digest is of what was received.
  await writeAtomic(path.join(request.feedsDir, feed === 'kev' ? KEV_FILE : EPSS_FILE), text);
  return { feed, status: 'updated', message: `${count} entries${feedDate === undefined ? '' : ` of ${feedDate}`}, sha256 ${record.sha256.slice(0, 16)}…`, record };
}

async function download(url: string, request: UpdateFeedsRequest): Promise<{ raw: Buffer; source: string }> {
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs ?? 120_000)]);
  const response = await fetch(url, { signal, redirect: 'follow' });
  if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status} from ${url}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_DOWNLOAD) throw new Error(`${url} announces ${declared} bytes, over the ${MAX_DOWNLOAD}-byte limit`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    // The server's announced length is not trusted: count what arrives.
    if (total > MAX_DOWNLOAD) throw new Error(`${url} sent more than ${MAX_DOWNLOAD} bytes`);
    chunks.push(bytes);
  }
  return { raw: Buffer.concat(chunks), source: url };
}

const BUNDLE_NAMES = {
  kev: [KEV_FILE, 'known_exploited_vulnerabilities.json'],
  epss: [EPSS_FILE, `${EPSS_FILE}.gz`, 'epss_scores-current.csv', 'epss_scores-current.csv.gz'],
} as const;

async function fromBundle(feed: 'kev' | 'epss', folder: string): Promise<{ raw: Buffer; source: string }> {
  for (const name of BUNDLE_NAMES[feed]) {
    const file = path.join(folder, name);
    try {
      if ((await stat(file)).size > MAX_DOWNLOAD) throw new Error(`${file} is over the ${MAX_DOWNLOAD}-byte limit`);
      return { raw: await readFile(file), source: file };
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') continue;
      throw error;
    }
  }
  throw new Error(`${folder} holds none of ${BUNDLE_NAMES[feed].join(', ')}`);
}

async function readManifest(feedsDir: string): Promise<Partial<Record<'kev' | 'epss', FeedRecord>>> {
  try {
    const data = JSON.parse(await readFile(path.join(feedsDir, MANIFEST_FILE), 'utf8')) as unknown;
    const pick = (value: unknown): FeedRecord | undefined =>
      typeof value === 'object' && value !== null && typeof (value as FeedRecord).count === 'number' && typeof (value as FeedRecord).sha256 === 'string' ? (value as FeedRecord) : undefined;
    const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const kev = pick(record['kev']);
    const epss = pick(record['epss']);
    return { ...(kev === undefined ? {} : { kev }), ...(epss === undefined ? {} : { epss }) };
  } catch {
    return {};
  }
}

/** Writes beside the target and renames over it, so a crash never leaves half a feed where a good one was. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
