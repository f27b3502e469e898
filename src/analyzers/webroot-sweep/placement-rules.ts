import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';

/** What the placement rules know of one file: where it is, its times and the first bytes. */
export interface PlacedFile {
  readonly path: string;
  /** Path below the swept folder, `/`-separated; folder names decide the zone (content, temp, ProgramData). */
  readonly relative: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly birthtimeMs: number;
  readonly siblings: readonly string[];
  readonly head: Uint8Array;
  /** External script hosts of a master page or layout. */
  readonly scriptHosts?: readonly string[];
}

/** One placement rule that fired on one file. */
export interface PlacementHit {
  readonly rule: RuleMeta;
  readonly text: string;
}

const REFERENCES = ['https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-074a', 'https://attack.mitre.org/techniques/T1505/003/'];

function rule(id: string, title: string, severity: Severity, description: string, tags: string[], remediation: string): RuleMeta {
  return { id, title, description, severity, confidence: 'firm', engine: 'placement', category: 'webroot', tags, references: REFERENCES, remediation };
}

const INSPECT = 'Find out who wrote the file and when (the IIS logs around its modification time), compare it with the deployment, and remove it if nobody deployed it.';

/** Every placement rule, by id. */
export const PLACEMENT_RULES = {
  binaryInUpload: rule('w3g-sweep-binary-in-upload-folder', 'Executable or DLL in an upload, image or static folder', 'high', 'A Windows executable sits in a folder of the site meant for uploads or static content, where attackers drop tools or stage malware served to visitors.', ['attack.t1105', 'attack.t1608.001'], INSPECT),
  binaryInContent: rule('w3g-sweep-binary-in-web-content', 'Executable or DLL served from web content', 'low', 'A Windows executable sits in the web content outside bin/ and the application folders; it can be downloaded by anyone. Installers offered on purpose look like this too.', ['attack.t1608.001'], INSPECT),
  scriptInStatic: rule('w3g-sweep-script-in-static-folder', 'Script page in an upload, image, theme, log or aspnet_client folder', 'high', 'Server-side script pages do not belong in folders for uploads, images, themes, logs or aspnet_client; web shells are hidden there because nobody reviews them.', ['attack.t1505.003'], INSPECT),
  dllInTemp: rule('w3g-sweep-dll-in-windows-temp', 'DLL in a temp folder', 'high', 'A DLL in Windows\\Temp or an IIS temp folder is how the 2023 Lazarus intrusions staged code loaded by w3wp.exe.', ['attack.t1574.002', 'attack.t1105'], INSPECT),
  epochDllInTemp: rule('w3g-sweep-epoch-dll-in-windows-temp', 'Epoch-named DLL in a temp folder', 'critical', 'A DLL named with a Unix timestamp in a temp folder matches the DLLs Lazarus dropped and loaded through w3wp.exe (CISA AA23-074A).', ['attack.t1574.002', 'attack.t1105'], INSPECT),
  droppedPair: rule('w3g-sweep-exe-dll-dropped-together', 'Executable and DLL written together in ProgramData or a temp folder', 'high', 'An EXE and a DLL written within minutes of each other in ProgramData or a temp folder is the DLL side-loading drop (often with a .dat payload beside them).', ['attack.t1574.002'], INSPECT),
  doubleExtension: rule('w3g-sweep-double-extension', 'File with a double extension', 'high', 'A name such as photo.jpg.aspx, report.pdf.exe or shell.asp;.jpg disguises a script or program as a harmless file.', ['attack.t1036.007', 'attack.t1505.003'], INSPECT),
  contentMismatch: rule('w3g-sweep-content-mismatch', 'File content does not match its extension', 'high', 'A file named as an image or document begins with an executable header, or a script page begins with an image header: the disguise used to smuggle web shells past upload filters.', ['attack.t1036.008', 'attack.t1505.003'], INSPECT),
  archiveInContent: rule('w3g-sweep-archive-in-web-content', 'Archive in web content', 'low', 'An archive in the web content can be a site backup anyone can download or an attacker tool kit.', ['attack.t1560'], 'Move backups out of the web root; check archives nobody expects.'),
  modifiedAfterDeployment: rule('w3g-sweep-modified-after-deployment', 'Script or binary modified after the site was deployed', 'low', 'The file changed after the newest file in the site\'s bin/ folder, that is after the last deployment.', ['attack.t1505.003'], INSPECT),
  modifiedInBurst: rule('w3g-sweep-modified-after-deployment-burst', 'Scripts or binaries created together after the site was deployed', 'medium', 'Several scripts or binaries were created within minutes of each other after the last deployment: files written by one hand, not by a release.', ['attack.t1505.003'], INSPECT),
  layoutScript: { ...rule('w3g-sweep-layout-external-script', 'Master page or layout loads a script from an unfamiliar host', 'critical', 'A master page or layout, served with every page of the site, loads JavaScript from a host that is not a well-known CDN or analytics service: how compromised IIS servers were turned against their visitors (watering hole).', ['attack.t1189', 'attack.t1608.004'], 'Check that the script tag was added on purpose; if not, remove it, find how the file was changed, and tell the visitors\' security team.'), confidence: 'tentative' },
} as const;

/** Script hosts sites load from on purpose; anything else in a layout is worth a look. Suffix match on the host. */
const FAMILIAR_SCRIPT_HOSTS = [
  'googletagmanager.com', 'google-analytics.com', 'googleapis.com', 'gstatic.com', 'google.com', 'googlesyndication.com', 'doubleclick.net',
  'aspnetcdn.com', 'msecnd.net', 'azureedge.net', 'monitor.azure.com', 'microsoft.com', 'clarity.ms', 'bing.com',
  'jquery.com', 'cloudflare.com', 'cloudflareinsights.com', 'jsdelivr.net', 'unpkg.com', 'bootstrapcdn.com', 'fontawesome.com',
  'datatables.net', 'typekit.net', 'cookielaw.org', 'onetrust.com', 'cookiebot.com', 'facebook.net', 'hotjar.com', 'newrelic.com', 'nr-data.net',
  'recaptcha.net', 'hcaptcha.com', 'stripe.com', 'paypal.com', 'youtube.com', 'vimeo.com', 'twitter.com', 'linkedin.com', 'telerik.com',
];

function familiarHost(host: string): boolean {
  return FAMILIAR_SCRIPT_HOSTS.some((known) => host === known || host.endsWith(`.${known}`));
}

const SCRIPT_PAGE = new Set(['aspx', 'ashx', 'asmx', 'asp', 'asa', 'cer', 'cdx', 'php', 'php3', 'php4', 'php5', 'php7', 'phtml', 'phar', 'jsp', 'jspx', 'cshtml', 'vbhtml', 'svc', 'soap', 'rem', 'shtml', 'stm']);
const EXECUTABLE = new Set(['exe', 'dll', 'scr', 'com', 'cpl', 'ocx', 'sys', 'msi', 'ps1', 'bat', 'cmd', 'vbs', 'hta', 'jse']);
const BINARY_EXT = new Set(['exe', 'dll', 'scr', 'com', 'cpl', 'ocx', 'sys']);
const ARCHIVE = new Set(['zip', 'rar', '7z', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'cab']);
const IMAGE_OR_DOCUMENT = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'ico', 'webp', 'tif', 'tiff', 'pdf', 'txt', 'doc', 'docx', 'xls', 'xlsx', 'css', 'woff', 'woff2', 'ttf', 'mp3', 'mp4', 'hwp']);
/** Folders that hold uploads, static files or logs: no script page in them should run on the server. Upload folders go by many names (UploadFiles, user_uploads), so those match anywhere in the name. */
const STATIC_FOLDER = /upload|attach|userfile|^(upfiles?|files?|images?|imgs?|pics|pictures|photos?|avatars?|thumbs?|thumbnails|banners?|css|styles?|fonts|app_themes|logs?|logfiles|temp|tmp|cache|aspnet_client|backups?)$/i;
/** Folders where a Windows binary is out of place (wider: user data and media folders hold downloads, not programs). */
const NO_BINARY_FOLDER = /upload|attach|userfile|^(upfiles?|files?|data|media|images?|imgs?|pics|pictures|photos?|avatars?|thumbs?|thumbnails|banners?|css|styles?|fonts|scripts?|js|app_themes|themes|skins?|logs?|logfiles|temp|tmp|cache|aspnet_client|backups?)$/i;
/** Extensions a program or script page hides behind in a double extension. */
const DISGUISE = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'ico', 'webp', 'tif', 'tiff', 'pdf', 'txt', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'rtf', 'csv', 'mp3', 'mp4', 'avi', 'zip', 'rar', 'hwp']);
/** Folders whose binaries belong to the application. */
const APPLICATION_BINARIES = /^(bin|runtimes|app_code)$/i;

/** The lower-case extension of a name, without the dot. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Where a file lives on a Windows host, from its folder names. */
export type Zone = 'content' | 'temp' | 'programdata';

/** The zone of a path: temp folders (Windows\Temp, inetpub\temp, a user's Temp), ProgramData, or web content. */
export function zoneOf(filePath: string): Zone {
  const segments = filePath.toLowerCase().split(/[\\/]+/);
  const folders = segments.slice(0, -1);
  if (folders.includes('programdata')) return 'programdata';
  for (let i = 0; i < folders.length; i += 1) {
    const segment = folders[i];
    if (segment === 'temp' && (folders[i - 1] === 'windows' || folders[i - 1] === 'inetpub' || folders[i - 1] === 'local')) return 'temp';
  }
  return 'content';
}

/** The kind of Windows image the bytes start with, from the PE header; undefined when not a PE file. */
export function peKind(head: Uint8Array): 'exe' | 'dll' | 'mz' | undefined {
  if (head.length < 2 || head[0] !== 0x4d || head[1] !== 0x5a) return undefined;
  if (head.length < 0x40) return 'mz';
  const offset = (head[0x3c] ?? 0) | ((head[0x3d] ?? 0) << 8) | ((head[0x3e] ?? 0) << 16) | ((head[0x3f] ?? 0) << 24);
  if (offset < 0 || offset + 24 > head.length) return 'mz';
  if (head[offset] !== 0x50 || head[offset + 1] !== 0x45 || head[offset + 2] !== 0 || head[offset + 3] !== 0) return 'mz';
  const characteristics = (head[offset + 22] ?? 0) | ((head[offset + 23] ?? 0) << 8);
  return (characteristics & 0x2000) !== 0 ? 'dll' : 'exe';
}

/** The binary kind of a file: from its header, else from its extension. */
export function binaryKind(file: Pick<PlacedFile, 'path' | 'head'>): 'exe' | 'dll' | undefined {
  const kind = peKind(file.head);
  if (kind === 'exe' || kind === 'dll') return kind;
  const ext = extensionOf(file.path.split(/[\\/]/).pop() ?? '');
  if (kind === 'mz' || BINARY_EXT.has(ext)) return ext === 'dll' || ext === 'ocx' || ext === 'cpl' ? 'dll' : 'exe';
  return undefined;
}

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return bytes.every((b, i) => head[i] === b);
}

function imageHeader(head: Uint8Array): string | undefined {
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'GIF';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'PNG';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'PDF';
  return undefined;
}

/** An ASP.NET Core or self-contained .NET application keeps its DLLs and apphost beside web.config. */
function isDotnetApplicationFolder(siblings: readonly string[]): boolean {
  return siblings.some((name) => /\.(deps|runtimeconfig)\.json$/i.test(name));
}

/** The placement rules that fire on one file on its own (pairs and deployment times need the folder: see below). */
export function judgePlacement(file: PlacedFile): PlacementHit[] {
  const hits: PlacementHit[] = [];
  const parts = file.relative === '' ? [file.path.split(/[\\/]/).pop() ?? file.path] : file.relative.split('/');
  const name = parts[parts.length - 1] ?? '';
  const folders = parts.slice(0, -1);
  const ext = extensionOf(name);
  const zone = zoneOf(file.path);
  const binary = binaryKind(file);
  const pe = peKind(file.head);
  const staticFolder = folders.find((f) => STATIC_FOLDER.test(f));
  const noBinaryFolder = folders.find((f) => NO_BINARY_FOLDER.test(f));

  // Only the extension right before the last counts: "Newtonsoft.Json.dll" is a dotted name, "invoice.pdf.exe" a disguise.
  const inner = extensionOf(name.slice(0, name.length - ext.length - 1));
  const semicolon = /;[^;]*\.\w+$/.test(name) && SCRIPT_PAGE.has(extensionOf(name.slice(0, name.indexOf(';'))));
  if (semicolon || ((SCRIPT_PAGE.has(ext) || (EXECUTABLE.has(ext) && ext !== 'dll')) && DISGUISE.has(inner))) {
    hits.push({ rule: PLACEMENT_RULES.doubleExtension, text: `name ${JSON.stringify(name)} hides a .${semicolon ? extensionOf(name.slice(0, name.indexOf(';'))) : ext} behind another extension` });
  }
  if (pe !== undefined && IMAGE_OR_DOCUMENT.has(ext)) {
    hits.push({ rule: PLACEMENT_RULES.contentMismatch, text: `.${ext} file begins with an MZ executable header` });
  } else if (SCRIPT_PAGE.has(ext) && imageHeader(file.head) !== undefined) {
    hits.push({ rule: PLACEMENT_RULES.contentMismatch, text: `.${ext} script page begins with a ${imageHeader(file.head) ?? ''} header` });
  }

  const unfamiliar = (file.scriptHosts ?? []).filter((host) => !familiarHost(host));
  if (unfamiliar.length > 0) hits.push({ rule: PLACEMENT_RULES.layoutScript, text: `loads script from ${unfamiliar.slice(0, 5).join(', ')}` });

  if (zone === 'temp') {
    if (binary === 'dll') {
      const epoch = /^\d{9,13}$/.test(name.replace(/\.[^.]*$/, ''));
      hits.push(epoch ? { rule: PLACEMENT_RULES.epochDllInTemp, text: `DLL named like a Unix time (${name}) in a temp folder` } : { rule: PLACEMENT_RULES.dllInTemp, text: `DLL (${pe === undefined ? 'by extension' : 'PE header'}) in a temp folder` });
    }
    return hits;
  }
  if (zone === 'programdata') return hits;

  if (SCRIPT_PAGE.has(ext) && staticFolder !== undefined) {
    hits.push({ rule: PLACEMENT_RULES.scriptInStatic, text: `.${ext} page inside the ${staticFolder}/ folder` });
  }
  if (binary !== undefined) {
    const ownBinary = folders.some((f) => APPLICATION_BINARIES.test(f)) || isDotnetApplicationFolder(file.siblings);
    if (!ownBinary) {
      const what = pe === undefined ? `.${ext} program (by extension)` : `Windows ${binary === 'dll' ? 'DLL' : 'executable'} (PE header)`;
      if (noBinaryFolder !== undefined) hits.push({ rule: PLACEMENT_RULES.binaryInUpload, text: `${what} inside the ${noBinaryFolder}/ folder` });
      else hits.push({ rule: PLACEMENT_RULES.binaryInContent, text: `${what} in the web content` });
    }
  } else if (ARCHIVE.has(ext)) {
    hits.push({ rule: PLACEMENT_RULES.archiveInContent, text: `.${ext} archive in the web content` });
  }
  return hits;
}

/** How close in time an EXE and a DLL must be written to count as one drop. */
const PAIR_WINDOW_MS = 10 * 60 * 1000;

/** EXE + DLL written together in one ProgramData or temp folder: the side-loading drop. Files are one folder's binaries. */
export function judgePairs(binaries: readonly PlacedFile[]): { file: PlacedFile; hit: PlacementHit }[] {
  const out: { file: PlacedFile; hit: PlacementHit }[] = [];
  const exes = binaries.filter((f) => binaryKind(f) === 'exe');
  const dlls = binaries.filter((f) => binaryKind(f) === 'dll');
  for (const file of [...exes, ...dlls]) {
    const others = binaryKind(file) === 'exe' ? dlls : exes;
    const partner = others.find((o) => Math.abs(o.mtimeMs - file.mtimeMs) <= PAIR_WINDOW_MS);
    if (partner === undefined) continue;
    const dat = file.siblings.find((s) => extensionOf(s) === 'dat');
    const partnerName = partner.path.split(/[\\/]/).pop() ?? partner.path;
    out.push({ file, hit: { rule: PLACEMENT_RULES.droppedPair, text: `written within ${Math.round(Math.abs(partner.mtimeMs - file.mtimeMs) / 1000)} s of ${partnerName}${dat === undefined ? '' : `, beside ${dat}`}` } });
  }
  return out;
}

/** Script pages and binaries whose modification time is after the site's deployment, and whether their creation times bunch. */
export function judgeAfterDeployment(candidates: readonly PlacedFile[], deployedMs: number): { file: PlacedFile; hit: PlacementHit }[] {
  const late = candidates.filter((f) => f.mtimeMs > deployedMs + 60_000);
  const born = late.filter((f) => f.birthtimeMs > 0).sort((a, b) => a.birthtimeMs - b.birthtimeMs);
  const inBurst = new Set<PlacedFile>();
  // A burst: three or more of these files created within ten minutes.
  for (let start = 0, end = 0; start < born.length; start += 1) {
    const first = born[start] as PlacedFile;
    while (end < born.length && (born[end] as PlacedFile).birthtimeMs - first.birthtimeMs <= PAIR_WINDOW_MS) end += 1;
    if (end - start >= 3) for (let i = start; i < end; i += 1) inBurst.add(born[i] as PlacedFile);
  }
  const deployed = new Date(deployedMs).toISOString();
  return late.map((file) => ({
    file,
    hit: inBurst.has(file)
      ? { rule: PLACEMENT_RULES.modifiedInBurst, text: `modified ${new Date(file.mtimeMs).toISOString()}, after the deployment of ${deployed}, and created with other files in a burst` }
      : { rule: PLACEMENT_RULES.modifiedAfterDeployment, text: `modified ${new Date(file.mtimeMs).toISOString()}, after the deployment of ${deployed}` },
  }));
}

/** Whether a file is a script page or binary, the kinds the deployment-time rule looks at. */
export function isScriptOrBinary(file: Pick<PlacedFile, 'path' | 'head'>): boolean {
  return SCRIPT_PAGE.has(extensionOf(file.path.split(/[\\/]/).pop() ?? '')) || binaryKind(file) !== undefined;
}
