import type { Asset } from '../core/asset.js';
import type { Finding } from '../core/finding.js';
import { fingerprint } from '../core/fingerprint.js';
import type { Incident, IncidentMoment } from '../core/incident.js';
import { AssetSites, normalizeDiskPath, type AssetPlace } from './asset-sites.js';
import { baseName, findingClues, oneLine, type EventClue, type FileClue, type FindingClues, type RequestClue } from './finding-clues.js';

/** Findings with `related` filled in, and the incidents that joined them. */
export interface CorrelationResult {
  readonly findings: readonly Finding[];
  readonly incidents: readonly Incident[];
}

/** How close in time findings must be to join; every window is in milliseconds. See docs/correlation.md. */
export interface CorrelationWindows {
  /** A file modified this long after an exploit request (and no earlier) counts as written by it. */
  readonly dropAfterExploitMs: number;
  /** A file a suspicious request names (`FILEPATH=…\svc.exe`) counts as written by it when modified this long after. */
  readonly namedDropAfterExploitMs: number;
  /** Requests of a file this long after it was modified count as its use. */
  readonly useAfterDropMs: number;
  /** A process `w3wp.exe` started this long after a request of the incident belongs to it. */
  readonly childAfterRequestMs: number;
  /** Slack for clocks that disagree (log time vs. file time vs. event time), applied on the early side. */
  readonly clockSkewMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The windows `host` uses unless told otherwise. */
export const DEFAULT_CORRELATION_WINDOWS: CorrelationWindows = {
  dropAfterExploitMs: 15 * MINUTE,
  namedDropAfterExploitMs: 24 * HOUR,
  useAfterDropMs: 24 * HOUR,
  childAfterRequestMs: 1 * HOUR,
  clockSkewMs: 2 * MINUTE,
};

/** Kinds of incident, as `Incident.kind`. */
export const INCIDENT_KINDS = { exploitDropUse: 'exploit-drop-use', vulnerableAttacked: 'vulnerable-attacked-dropped' } as const;

/**
 * Most members one incident keeps (the first in story order): beyond this, a story is a campaign that a
 * timeline no longer explains, and every member listing every other would grow with the square of it.
 */
export const MAX_INCIDENT_MEMBERS = 100;

/** Folders that uploads land in: a vulnerable upload handler's files, and where attackers put theirs. */
const UPLOAD_FOLDER = /^(?:uploads?|upload_?files|userfiles?|user_?uploads?|raduploadtemp|app_data|temp|tmp|attachments?)$/i;
/** What an upload folder should not hold: code the server runs or a client downloads and runs. */
const EXECUTABLE = /\.(?:aspx|ashx|asmx|asax|ascx|asp|cshtml|php|jsp|jspx|exe|dll|sys|scr|ps1|psm1|bat|cmd|vbs|vbe|hta|js|config)$/i;

interface Node {
  readonly finding: Finding;
  readonly index: number;
  readonly clues: FindingClues;
  readonly place: AssetPlace;
}

/** Story stages, which order moments that share a time (and put a component without a time first). */
const STAGE = { component: 0, exploit: 1, drop: 2, wrote: 3, use: 4, child: 5 } as const;

interface Member {
  readonly node: Node;
  readonly stage: number;
  readonly at?: number;
  readonly summary: string;
}

interface Draft {
  readonly kind: string;
  readonly asset: string;
  readonly anchor: Finding;
  readonly title: (members: readonly Member[]) => string;
  readonly members: Map<number, Member>;
  /** Times of the story's requests (every use, not only each finding's first), which processes started after belong to. */
  readonly requests: readonly number[];
}

/** A request of one hunt finding, at one time. */
interface Moment {
  readonly node: Node;
  readonly clue: RequestClue;
}

/** One file on a site, with every sweep finding about it. */
interface FileEntry {
  readonly key: string;
  readonly nodes: Node[];
  readonly path: string;
  /** Lower-case base name, to match on; `shown` keeps the case of the disk. */
  readonly name: string;
  readonly shown: string;
  readonly time?: number;
  readonly url?: string;
  /** A host-level file (Windows/Temp, ProgramData): no URL reaches it, so only a request naming it joins it. */
  readonly byNameOnly: boolean;
}

/**
 * Joins findings of several analyzers on one asset (or its site) into incidents by path, CVE and time.
 * `assets` is the host's asset tree (parent links), so an application's findings join its site's.
 */
export function correlateFindings(findings: readonly Finding[], assets: readonly Asset[], windows: CorrelationWindows = DEFAULT_CORRELATION_WINDOWS): CorrelationResult {
  const sites = new AssetSites(assets);
  const nodes: Node[] = findings.map((finding, index) => ({ finding, index, clues: findingClues(finding), place: sites.placeOf(finding.asset) }));
  const bySite = new Map<string, Node[]>();
  for (const node of nodes) if (node.place.site !== undefined) push(bySite, node.place.site, node);
  const indexed = new Map<string, SiteRequests>();
  const requestsOf = (site: string): SiteRequests => {
    let requests = indexed.get(site);
    if (requests === undefined) indexed.set(site, (requests = siteRequests(bySite.get(site) ?? [])));
    return requests;
  };
  const drafts = [...exploitDropUse(bySite, requestsOf, nodes, sites, windows), ...vulnerableAttacked(bySite, requestsOf, sites, windows)];
  return finish(findings, drafts);
}

/** One site's logged requests (of hunt findings), indexed for the joins. */
interface SiteRequests {
  /** By requested path (decoded, lower-case), each list in time order. */
  readonly byPath: Map<string, Moment[]>;
  /** By the requested path's base name, for files under no known physical path. */
  readonly byName: Map<string, Moment[]>;
  /** Requests of exploit findings, in time order. */
  readonly exploits: Moment[];
  /** Requests naming a file elsewhere in the line, by that name. */
  readonly byNamed: Map<string, Moment[]>;
  /** The last request logged: a file modified after it was written after the logs end, or copied without its times. */
  readonly last: number;
}

function siteRequests(siteNodes: readonly Node[]): SiteRequests {
  const requests: SiteRequests = { byPath: new Map(), byName: new Map(), exploits: [], byNamed: new Map(), last: -Infinity };
  let last = -Infinity;
  for (const node of siteNodes) {
    if (node.clues.source !== 'hunt') continue;
    for (const clue of node.clues.requests) {
      const moment = { node, clue };
      last = Math.max(last, clue.time);
      if (clue.path !== undefined) {
        push(requests.byPath, clue.path, moment);
        push(requests.byName, baseName(clue.path), moment);
      }
      // A request naming the file (a backdoor's PUTFILE command, an upload's file name) may have written it,
      // whatever the rule that caught it; by time alone, only an exploit request counts.
      if (!node.clues.refused) for (const name of clue.names) push(requests.byNamed, name, moment);
      if (node.clues.exploit) requests.exploits.push(moment);
    }
  }
  for (const list of [requests.exploits, ...requests.byPath.values(), ...requests.byName.values(), ...requests.byNamed.values()]) list.sort(byMomentTime);
  return { ...requests, last };
}

/**
 * A file's modification time, if it can order the story: one later than every logged request of the site
 * says the file was copied without its times (or changed after the logs end), and is left out of the joins by time.
 */
function usableTime(time: number | undefined, requests: SiteRequests, windows: CorrelationWindows): number | undefined {
  return time !== undefined && time <= requests.last + windows.clockSkewMs ? time : undefined;
}

function fileSummary(node: Node, file: FileClue, usable: number | undefined): string {
  const late = file.time !== undefined && usable === undefined ? ` (modified ${new Date(file.time).toISOString()}, after the last logged request)` : '';
  return `${node.finding.title}: ${oneLine(file.path)}${late}`;
}

/** Story one: an exploit request, the file it wrote, that file's use, and the processes `w3wp.exe` started then. */
function exploitDropUse(bySite: ReadonlyMap<string, Node[]>, requestsOf: (site: string) => SiteRequests, nodes: readonly Node[], sites: AssetSites, windows: CorrelationWindows): Draft[] {
  const hostFiles = new Map<string, Node[]>();
  for (const node of nodes) {
    const { site, host } = node.place;
    if (site === undefined && host !== undefined && node.clues.source === 'sweep' && node.clues.file !== undefined) push(hostFiles, host, node);
  }
  const drafts: Draft[] = [];
  for (const [site, siteNodes] of bySite) {
    const host = siteNodes[0]?.place.host;
    const requests = requestsOf(site);
    if (requests.last === -Infinity) continue;
    const files = new Map<string, FileEntry>();
    const addFile = (node: Node, byNameOnly: boolean): void => {
      const file = node.clues.file;
      if (node.clues.source !== 'sweep' || file === undefined) return;
      const key = normalizeDiskPath(file.path);
      let entry = files.get(key);
      if (entry === undefined) {
        const url = byNameOnly ? undefined : sites.urlOf(site, file.path);
        const time = usableTime(file.time, requests, windows);
        entry = { key, nodes: [], path: file.path, name: baseName(file.path), shown: shownName(file.path), ...(time === undefined ? {} : { time }), ...(url === undefined ? {} : { url }), byNameOnly };
        files.set(key, entry);
      }
      entry.nodes.push(node);
    };
    for (const node of siteNodes) addFile(node, false);
    for (const node of host === undefined ? [] : (hostFiles.get(host) ?? [])) addFile(node, true);

    // Files and hunt findings linked by a drop or a use become one story; a hunt finding (one client's
    // requests) that used two files joins them.
    const links = new UnionFind();
    const joined = new Map<string, { file: FileEntry; exploit?: Moment; uses: Moment[] }>();
    for (const file of files.values()) {
      const isUse = (m: Moment): boolean => (file.url !== undefined ? m.clue.path === file.url : m.clue.path !== undefined && baseName(m.clue.path) === file.name);
      const uses = file.byNameOnly ? [] : inWindow(file.url !== undefined ? requests.byPath.get(file.url) : requests.byName.get(file.name), file.time, -windows.clockSkewMs, windows.useAfterDropMs);
      const exploit =
        latestBefore(requests.byNamed.get(file.name), file.time, windows.namedDropAfterExploitMs, windows.clockSkewMs, isUse) ??
        (file.byNameOnly ? undefined : latestBefore(requests.exploits, file.time, windows.dropAfterExploitMs, windows.clockSkewMs, isUse));
      if (exploit === undefined && uses.length === 0) continue;
      joined.set(file.key, { file, ...(exploit === undefined ? {} : { exploit }), uses });
      if (exploit !== undefined) links.union(`f:${file.key}`, `n:${exploit.node.index}`);
      for (const use of uses) links.union(`f:${file.key}`, `n:${use.node.index}`);
    }
    const stories = new Map<string, { files: FileEntry[]; members: Map<number, Member>; requests: number[] }>();
    for (const { file, exploit, uses } of joined.values()) {
      const root = links.find(`f:${file.key}`);
      let story = stories.get(root);
      if (story === undefined) stories.set(root, (story = { files: [], members: new Map(), requests: [] }));
      story.files.push(file);
      for (const node of file.nodes) {
        addMember(story.members, { node, stage: STAGE.drop, ...(file.time === undefined ? {} : { at: file.time }), summary: fileSummary(node, node.clues.file as FileClue, file.time) });
      }
      if (exploit !== undefined) addMember(story.members, requestMember(exploit, STAGE.exploit));
      for (const use of uses) addMember(story.members, requestMember(use, STAGE.use));
      for (const moment of exploit === undefined ? uses : [exploit, ...uses]) story.requests.push(moment.clue.time);
    }
    for (const story of stories.values()) {
      story.files.sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || compare(a.key, b.key));
      const first = story.files[0] as FileEntry;
      const anchor = first.nodes.map((n) => n.finding).sort((a, b) => compare(a.fingerprint, b.fingerprint))[0] as Finding;
      const names = story.files.map((f) => oneLine(f.shown));
      drafts.push({ kind: INCIDENT_KINDS.exploitDropUse, asset: site, anchor, members: story.members, requests: story.requests, title: (members) => exploitDropUseTitle(names, members) });
    }
  }
  attachEvents(drafts, nodes, windows);
  return drafts;
}

/** Adds the events of `w3wp.exe` starting processes shortly after a request of a story, and writing its files. */
function attachEvents(drafts: readonly Draft[], nodes: readonly Node[], windows: CorrelationWindows): void {
  if (drafts.length === 0) return;
  // Requests of every story, by the host (or site) an event would be attributed to.
  const requests = new Map<string, { at: number; draft: Draft }[]>();
  const written = new Map<string, { at?: number; draft: Draft }[]>();
  for (const draft of drafts) {
    const first = draft.members.values().next().value as Member;
    const scopes = [`site:${draft.asset}`, ...(first.node.place.host === undefined ? [] : [`host:${first.node.place.host}`])];
    for (const at of draft.requests) for (const scope of scopes) push(requests, scope, { at, draft });
    for (const member of draft.members.values()) {
      const file = member.node.clues.file;
      if (member.node.clues.source === 'sweep' && file !== undefined) {
        for (const scope of scopes) push(written, `${scope}\u0000${baseName(file.path)}`, { ...(file.time === undefined ? {} : { at: file.time }), draft });
      }
    }
  }
  for (const list of requests.values()) list.sort((a, b) => a.at - b.at);
  for (const node of nodes) {
    if (node.clues.source !== 'events' || node.clues.events.length === 0) continue;
    const { site, host } = node.place;
    const scope = site !== undefined ? `site:${site}` : host !== undefined ? `host:${host}` : undefined;
    if (scope === undefined) continue;
    const timeline = requests.get(scope) ?? [];
    for (const event of node.clues.events) {
      if (event.wroteName !== undefined) {
        for (const { at, draft } of written.get(`${scope}\u0000${event.wroteName}`) ?? []) {
          if (at === undefined || Math.abs(event.time - at) <= windows.clockSkewMs + windows.dropAfterExploitMs) addMember(draft.members, eventMember(node, event, STAGE.wrote));
        }
        continue;
      }
      // The story whose request came last before the process: one process is one story's, not every site's.
      const i = upperBound(timeline, event.time + windows.clockSkewMs, (r) => r.at) - 1;
      const request = timeline[i];
      if (request !== undefined && event.time - request.at <= windows.childAfterRequestMs) addMember(request.draft.members, eventMember(node, event, STAGE.child));
    }
  }
}

/**
 * Story two: a vulnerable component, requests exploiting that CVE on its site, code in the site's upload
 * folders since, and requests of that code.
 */
function vulnerableAttacked(bySite: ReadonlyMap<string, Node[]>, requestsOf: (site: string) => SiteRequests, sites: AssetSites, windows: CorrelationWindows): Draft[] {
  const drafts: Draft[] = [];
  for (const [site, siteNodes] of bySite) {
    const components = siteNodes.filter((n) => n.clues.source === 'inventory' && n.clues.cves.length > 0);
    if (components.length === 0) continue;
    const attemptsByCve = new Map<string, Node[]>();
    for (const node of siteNodes) {
      // Refused attempts did not reach the component: they say nothing of whether it was exploited.
      if (node.clues.source !== 'hunt' || !node.clues.exploit) continue;
      for (const cve of node.clues.cves) push(attemptsByCve, cve, node);
    }
    if (attemptsByCve.size === 0) continue;
    const requests = requestsOf(site);
    // Judged on the URL path under the site, never the whole disk path: a copy kept under /tmp is not an upload folder.
    const uploads = siteNodes.filter((n) => n.clues.source === 'sweep' && n.clues.file !== undefined && inUploadFolder(sites.urlOf(site, n.clues.file.path)));
    for (const component of components) {
      const attempts = [...new Set(component.clues.cves.flatMap((cve) => attemptsByCve.get(cve) ?? []))];
      if (attempts.length === 0) continue;
      const members = new Map<number, Member>();
      const evidence = component.finding.evidence[0];
      addMember(members, { node: component, stage: STAGE.component, summary: `${component.finding.title}${evidence?.text === undefined ? '' : ` (${oneLine(evidence.text)})`}` });
      let firstAttempt = Infinity;
      for (const node of attempts) {
        const first = node.clues.requests.reduce<RequestClue | undefined>((a, b) => (a === undefined || b.time < a.time ? b : a), undefined);
        if (first !== undefined) firstAttempt = Math.min(firstAttempt, first.time);
        addMember(members, first === undefined ? { node, stage: STAGE.exploit, summary: node.finding.title } : requestMember({ node, clue: first }, STAGE.exploit));
      }
      for (const node of uploads) {
        const file = node.clues.file as FileClue;
        const time = usableTime(file.time, requests, windows);
        if (time !== undefined && time < firstAttempt - windows.clockSkewMs) continue;
        addMember(members, { node, stage: STAGE.drop, ...(time === undefined ? {} : { at: time }), summary: fileSummary(node, file, time) });
        const url = sites.urlOf(site, file.path);
        for (const use of url === undefined ? [] : inWindow(requests.byPath.get(url), time, -windows.clockSkewMs, windows.useAfterDropMs)) addMember(members, requestMember(use, STAGE.use));
      }
      const cves = component.clues.cves.filter((cve) => attemptsByCve.has(cve)).map((cve) => cve.replace(/^cve\./, 'CVE-').toUpperCase());
      const name = oneLine(shownName(evidence?.path ?? component.finding.locationKey)) || component.finding.title;
      drafts.push({
        kind: INCIDENT_KINDS.vulnerableAttacked,
        asset: site,
        anchor: component.finding,
        members,
        requests: [],
        title: (all) => {
          const drops = all.filter((m) => m.stage === STAGE.drop);
          const code = drops.length === 0 ? '' : drops.every((m) => m.at !== undefined) ? '; code since written to an upload folder' : '; code in an upload folder';
          return `${name}: vulnerable to ${cves.join(', ')} and attacked${code}${all.some((m) => m.stage === STAGE.use) ? ', and requested' : ''}`;
        },
      });
    }
  }
  return drafts;
}

/** Orders each story's moments and fills every member's `related` with the other members of its stories. */
function finish(findings: readonly Finding[], drafts: readonly Draft[]): CorrelationResult {
  const related = new Map<number, Set<string>>();
  const incidents: Incident[] = [];
  for (const draft of drafts) {
    const members = inStoryOrder([...draft.members.values()]).slice(0, MAX_INCIDENT_MEMBERS);
    if (new Set(members.map((m) => m.node.clues.source)).size < 2) continue;
    const timeline: IncidentMoment[] = members.map((m) => ({
      ...(m.at === undefined ? {} : { at: new Date(m.at).toISOString() }),
      fingerprint: m.node.finding.fingerprint,
      source: m.node.clues.source,
      summary: m.summary,
    }));
    const times = members.flatMap((m) => (m.at === undefined ? [] : [m.at]));
    incidents.push({
      id: fingerprint(draft.kind, draft.asset, draft.anchor.fingerprint),
      asset: draft.asset,
      title: draft.title(members),
      kind: draft.kind,
      members: members.map((m) => m.node.finding.fingerprint),
      timeline,
      ...(times.length === 0 ? {} : { firstSeen: new Date(Math.min(...times)).toISOString(), lastSeen: new Date(Math.max(...times)).toISOString() }),
    });
    for (const member of members) {
      let set = related.get(member.node.index);
      if (set === undefined) related.set(member.node.index, (set = new Set()));
      for (const other of members) if (other.node.finding.fingerprint !== member.node.finding.fingerprint) set.add(other.node.finding.fingerprint);
    }
  }
  incidents.sort((a, b) => compare(a.firstSeen ?? '\uffff', b.firstSeen ?? '\uffff') || compare(a.id, b.id));
  const out = findings.map((finding, index) => {
    const more = related.get(index);
    if (more === undefined || more.size === 0) return finding;
    return { ...finding, related: [...new Set([...(finding.related ?? []), ...more])].sort(compare) };
  });
  return { findings: out, incidents };
}

function exploitDropUseTitle(names: readonly string[], members: readonly Member[]): string {
  const files = names.length === 1 ? (names[0] as string) : `${names[0] as string} and ${names.length - 1} more`;
  const has = (stage: number): boolean => members.some((m) => m.stage === stage);
  const exploit = members.find((m) => m.stage === STAGE.exploit);
  const steps = [
    ...(exploit === undefined ? [] : [exploit.node.clues.exploit ? 'Exploit request' : `Request naming ${files}`]),
    has(STAGE.wrote) ? `w3wp.exe wrote ${files}` : `${exploit === undefined ? 'File ' : ''}${files} written`,
    ...(has(STAGE.use) ? [`${files} requested`] : []),
    ...(has(STAGE.child) ? ['w3wp.exe started a process'] : []),
  ];
  return steps.join(' → ');
}

/**
 * Moments with a time in time order; one without (a file whose time is unknown, the component) goes where its
 * stage of the story puts it: before the first timed moment of a later stage.
 */
function inStoryOrder(members: readonly Member[]): Member[] {
  const timed = members.filter((m) => m.at !== undefined).sort(byMoment);
  const untimed = members.filter((m) => m.at === undefined).sort(byMoment);
  const out: Member[] = [];
  let u = 0;
  for (const member of timed) {
    while (u < untimed.length && (untimed[u] as Member).stage < member.stage) out.push(untimed[u++] as Member);
    out.push(member);
  }
  out.push(...untimed.slice(u));
  return out;
}

function requestMember(moment: Moment, stage: number): Member {
  const { node, clue } = moment;
  return { node, stage, at: clue.time, summary: `${node.finding.title}${clue.request === undefined ? '' : `: ${clue.request}`}` };
}

function eventMember(node: Node, event: EventClue, stage: number): Member {
  return { node, stage, at: event.time, summary: `${node.finding.title}: ${event.command}` };
}

/** Keeps one member per finding: its earliest moment, or the earlier stage at the same time. */
function addMember(members: Map<number, Member>, member: Member): void {
  const known = members.get(member.node.index);
  if (known === undefined || byMoment(member, known) < 0) members.set(member.node.index, member);
}

/** Time first (a moment without one counts as the latest), then stage, then fingerprint. */
function byMoment(a: Member, b: Member): number {
  const d = (a.at ?? Infinity) - (b.at ?? Infinity);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a.stage - b.stage || compare(a.node.finding.fingerprint, b.node.finding.fingerprint);
}

function shownName(path: string): string {
  return path.replace(/\\/g, '/').split('/').pop() ?? '';
}

function byMomentTime(a: Moment, b: Moment): number {
  return a.clue.time - b.clue.time;
}

/** Requests from `from` to `to` after `time` (all of them when the file's time is unknown), sorted. */
function inWindow(list: readonly Moment[] | undefined, time: number | undefined, from: number, to: number): Moment[] {
  if (list === undefined) return [];
  if (time === undefined) return [...list];
  const out: Moment[] = [];
  for (let i = upperBound(list, time + from - 1, (m) => m.clue.time); i < list.length; i += 1) {
    const m = list[i] as Moment;
    if (m.clue.time > time + to) break;
    out.push(m);
  }
  return out;
}

/** The last request at most `skew` after `time` and at most `window` before it, skipping `skip`; with no time, none. */
function latestBefore(list: readonly Moment[] | undefined, time: number | undefined, window: number, skew: number, skip: (m: Moment) => boolean): Moment | undefined {
  if (list === undefined || time === undefined) return undefined;
  for (let i = upperBound(list, time + skew, (m) => m.clue.time) - 1; i >= 0; i -= 1) {
    const m = list[i] as Moment;
    if (m.clue.time < time - window) return undefined;
    if (!skip(m)) return m;
  }
  return undefined;
}

/** Index of the first element whose key is greater than `value` (the list sorted by key). */
function upperBound<T>(list: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid] as T) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function inUploadFolder(url: string | undefined): boolean {
  if (url === undefined) return false;
  const parts = url.split('/');
  return EXECUTABLE.test(url) && parts.slice(0, -1).some((p) => UPLOAD_FOLDER.test(p));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Disjoint sets over string keys, with path halving. */
class UnionFind {
  readonly #parent = new Map<string, string>();

  find(key: string): string {
    let current = key;
    for (;;) {
      const parent = this.#parent.get(current);
      if (parent === undefined || parent === current) return current;
      const grand = this.#parent.get(parent) ?? parent;
      this.#parent.set(current, grand);
      current = grand;
    }
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}
