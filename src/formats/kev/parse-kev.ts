/** One entry of CISA's Known Exploited Vulnerabilities catalogue. */
export interface KevEntry {
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly dateAdded: string;
  readonly dueDate: string;
  /** `Known` or `Unknown`. */
  readonly knownRansomwareCampaignUse: string;
  readonly requiredAction: string;
}

/** The catalogue: its version, release date and entries by CVE id. */
export interface KevCatalog {
  readonly catalogVersion: string;
  readonly dateReleased: string;
  readonly count: number;
  readonly entries: ReadonlyMap<string, KevEntry>;
}

/** A KEV file that is not the catalogue. */
export class KevFormatError extends Error {
  override readonly name = 'KevFormatError';
  readonly code = 'kev.format';
}

const CVE = /^CVE-\d{4}-\d{4,19}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses the KEV JSON text; throws `KevFormatError` when it is not the catalogue or its count disagrees with its entries. */
export function parseKev(text: string): KevCatalog {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KevFormatError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data) || !Array.isArray(data['vulnerabilities'])) throw new KevFormatError('no "vulnerabilities" list');
  const catalogVersion = data['catalogVersion'];
  const dateReleased = data['dateReleased'];
  const count = data['count'];
  if (typeof catalogVersion !== 'string' || typeof dateReleased !== 'string' || typeof count !== 'number') throw new KevFormatError('catalogVersion, dateReleased or count is missing');
  const entries = new Map<string, KevEntry>();
  for (const [i, item] of data['vulnerabilities'].entries()) {
    if (!isRecord(item)) throw new KevFormatError(`entry ${i} is not an object`);
    const text = (key: string): string => (typeof item[key] === 'string' ? item[key] : '');
    const entry: KevEntry = {
      cveId: text('cveID'),
      vendorProject: text('vendorProject'),
      product: text('product'),
      dateAdded: text('dateAdded'),
      dueDate: text('dueDate'),
      knownRansomwareCampaignUse: text('knownRansomwareCampaignUse') || 'Unknown',
      requiredAction: text('requiredAction'),
    };
    if (!CVE.test(entry.cveId) || !DATE.test(entry.dueDate)) throw new KevFormatError(`entry ${i} has no valid cveID or dueDate`);
    entries.set(entry.cveId, entry);
  }
  // The catalogue states its own size: a download cut short or tampered with shows as a mismatch.
  if (entries.size !== count) throw new KevFormatError(`the catalogue says ${count} entries but holds ${entries.size}`);
  return { catalogVersion, dateReleased, count, entries };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
