import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { InventoryComponent } from '../../core/inventory-component.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { nextZipEntry } from '../zip/next-zip-entry.js';

/** Bounds for reading a hostile Java archive. */
export interface JavaArchiveLimits {
  /** Deepest nesting of archives inside archives followed (a fat jar's lib/ is depth 1). */
  readonly maxDepth: number;
  /** Largest nested archive read into memory. */
  readonly maxNestedBytes: number;
  /** Largest manifest or pom.properties read. */
  readonly maxTextBytes: number;
  /** Entries looked at per archive. */
  readonly maxEntries: number;
  /** Bytes inflated over the whole archive, nested ones included. */
  readonly maxTotalBytes: number;
}

export const DEFAULT_JAVA_ARCHIVE_LIMITS: JavaArchiveLimits = {
  maxDepth: 4,
  maxNestedBytes: 128 * 1024 * 1024,
  maxTextBytes: 256 * 1024,
  maxEntries: 200_000,
  maxTotalBytes: 1024 * 1024 * 1024,
};

const ARCHIVE = /\.(jar|war|ear|sar|rar|hpi|jpi)$/i;
/** Bundles that carry no pom.properties but are recognisable by their OSGi name. */
const BUNDLE_PACKAGES: Readonly<Record<string, string>> = { 'org.apache.logging.log4j.core': 'org.apache.logging.log4j:log4j-core' };
/** Artifacts recognisable by a file name such as log4j-core-2.14.1.jar when nothing inside says more. */
const FILE_NAME_PACKAGES: Readonly<Record<string, string>> = { 'log4j-core': 'org.apache.logging.log4j:log4j-core' };

interface Budget {
  inflated: number;
}

/**
 * Lists the Maven artifacts in a Java archive and in the archives nested inside it (fat jars, WARs): from
 * `META-INF/maven/**\/pom.properties`, else the manifest's bundle name, else the file name. `location` names the
 * archive holding the artifact, with `!` between nesting levels. Damage becomes issues; what was read is kept.
 */
export async function readJavaArchive(filePath: string, displayPath: string, limits: JavaArchiveLimits = DEFAULT_JAVA_ARCHIVE_LIMITS): Promise<{ components: InventoryComponent[]; issues: ScanIssue[] }> {
  const components: InventoryComponent[] = [];
  const issues: ScanIssue[] = [];
  const budget: Budget = { inflated: 0 };
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) => yauzl.open(filePath, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, file) => (error ? reject(error) : resolve(file))));
  } catch (error) {
    return { components, issues: [{ code: 'jar.unreadable', message: `${displayPath} is not a readable Java archive (${message(error)}).`, path: displayPath }] };
  }
  await walkArchive(zip, displayPath, 0, limits, budget, components, issues);
  return { components, issues };
}

async function walkArchive(zip: ZipFile, location: string, depth: number, limits: JavaArchiveLimits, budget: Budget, components: InventoryComponent[], issues: ScanIssue[]): Promise<void> {
  zip.on('error', () => undefined);
  const poms: InventoryComponent[] = [];
  let manifest: string | undefined;
  try {
    for (let seen = 0; ; seen += 1) {
      const entry = await nextZipEntry(zip);
      if (entry === undefined) break;
      if (seen >= limits.maxEntries) {
        issues.push({ code: 'jar.too-many-entries', message: `${location} has more than ${limits.maxEntries} entries; the rest were not read.`, path: location });
        break;
      }
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/i.test(name)) {
        const text = await readText(zip, entry, location, limits, budget, issues);
        const pom = text === undefined ? undefined : pomComponent(text, location);
        if (pom !== undefined) poms.push(pom);
      } else if (/^META-INF\/MANIFEST\.MF$/i.test(name)) {
        manifest = await readText(zip, entry, location, limits, budget, issues);
      } else if (ARCHIVE.test(name)) {
        const inner = `${location}!${name}`;
        if (depth + 1 > limits.maxDepth) {
          issues.push({ code: 'jar.too-deep', message: `${inner} is nested more than ${limits.maxDepth} archives deep; not read.`, path: location });
          continue;
        }
        if (entry.uncompressedSize > limits.maxNestedBytes) {
          issues.push({ code: 'jar.too-large', message: `${inner} is ${entry.uncompressedSize} bytes, over the ${limits.maxNestedBytes}-byte limit for nested archives; not read.`, path: location });
          continue;
        }
        const bytes = await readBytes(zip, entry, limits.maxNestedBytes, inner, limits, budget, issues);
        if (bytes === undefined) continue;
        let nested: ZipFile;
        try {
          nested = await new Promise<ZipFile>((resolve, reject) => yauzl.fromBuffer(bytes, { lazyEntries: true, strictFileNames: false }, (error, file) => (error ? reject(error) : resolve(file))));
        } catch (error) {
          issues.push({ code: 'jar.unreadable', message: `${inner} is not a readable archive (${message(error)}).`, path: location });
          continue;
        }
        const before = components.length;
        await walkArchive(nested, inner, depth + 1, limits, budget, components, issues);
        if (components.length === before) {
          const guess = fileNameComponent(name, inner);
          if (guess !== undefined) components.push(guess);
        }
      }
    }
  } catch (error) {
    issues.push({ code: 'jar.corrupt', message: `${location} is damaged (${message(error)}); entries after the damage were not read.`, path: location });
  } finally {
    zip.close();
  }
  components.push(...poms);
  if (poms.length === 0 && manifest !== undefined) {
    const fromManifest = manifestComponent(manifest, location);
    if (fromManifest !== undefined) components.push(fromManifest);
  }
}

function pomComponent(text: string, location: string): InventoryComponent | undefined {
  const props = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z.]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m !== null && !line.trimStart().startsWith('#')) props.set(m[1] ?? '', m[2] ?? '');
  }
  const group = props.get('groupId');
  const artifact = props.get('artifactId');
  const version = props.get('version');
  if (group === undefined || artifact === undefined || version === undefined || version === '') return undefined;
  return { name: artifact, version, source: 'jar', location, ecosystem: 'maven', packageName: `${group}:${artifact}`, purl: `pkg:maven/${group}/${artifact}@${version}` };
}

function manifestComponent(text: string, location: string): InventoryComponent | undefined {
  // Manifest lines continue on the next line when it starts with one space.
  const attributes = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith(' ') && last !== undefined) {
      attributes.set(last, (attributes.get(last) ?? '') + line.slice(1));
      continue;
    }
    const at = line.indexOf(':');
    if (at <= 0) continue;
    last = line.slice(0, at).trim();
    attributes.set(last, line.slice(at + 1).trim());
  }
  const bundle = attributes.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
  const version = attributes.get('Implementation-Version') ?? attributes.get('Bundle-Version');
  const name = attributes.get('Implementation-Title') ?? bundle;
  if (name === undefined || version === undefined) return undefined;
  const packageName = bundle === undefined ? undefined : BUNDLE_PACKAGES[bundle];
  return { name, version, source: 'jar', location, ...(packageName === undefined ? {} : { ecosystem: 'maven', packageName }) };
}

function fileNameComponent(entryName: string, location: string): InventoryComponent | undefined {
  const base = entryName.split('/').pop() ?? '';
  const m = /^(.+?)-(\d[\w.-]*)\.jar$/i.exec(base);
  const packageName = m === null ? undefined : FILE_NAME_PACKAGES[(m[1] ?? '').toLowerCase()];
  if (m === null || packageName === undefined) return undefined;
  return { name: m[1] ?? base, version: m[2] ?? '', source: 'jar', location, ecosystem: 'maven', packageName };
}

async function readText(zip: ZipFile, entry: Entry, location: string, limits: JavaArchiveLimits, budget: Budget, issues: ScanIssue[]): Promise<string | undefined> {
  const bytes = await readBytes(zip, entry, limits.maxTextBytes, `${location}!${entry.fileName}`, limits, budget, issues);
  return bytes === undefined ? undefined : bytes.toString('utf8');
}

async function readBytes(zip: ZipFile, entry: Entry, cap: number, where: string, limits: JavaArchiveLimits, budget: Budget, issues: ScanIssue[]): Promise<Buffer | undefined> {
  if (entry.uncompressedSize > cap) {
    issues.push({ code: 'jar.too-large', message: `${where} is ${entry.uncompressedSize} bytes, over the ${cap}-byte limit; not read.`, path: where });
    return undefined;
  }
  if (budget.inflated + entry.uncompressedSize > limits.maxTotalBytes) {
    issues.push({ code: 'jar.too-large', message: `${where}: the archive inflates to more than ${limits.maxTotalBytes} bytes; the rest was not read.`, path: where });
    return undefined;
  }
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))));
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      total += buffer.length;
      // yauzl checks the declared size too; counting here keeps the cap even if that check were off.
      if (total > cap) throw new Error(`inflates past ${cap} bytes`);
      chunks.push(buffer);
    }
    budget.inflated += total;
    return Buffer.concat(chunks);
  } catch (error) {
    issues.push({ code: 'jar.corrupt', message: `${where} cannot be read (${message(error)}).`, path: where });
    return undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
