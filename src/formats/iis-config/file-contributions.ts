import { attributeValue as attribute, type XmlElement } from '../xml/xml-element.js';
import type { ConfigContribution } from './config-contribution.js';
import { splitSitePath } from './iis-config.js';

/** The top level of a file and each `<location>` in it, as contributions aimed at their paths. */
export function fileContributions(root: XmlElement, file: string, fileUrl: readonly string[], fromWebConfig: boolean, fileDepth: number): ConfigContribution[] {
  const result: ConfigContribution[] = [{ file, fromWebConfig, fileDepth, order: 0, target: fileUrl, container: root, line: root.line, inheritInChildApplications: true }];
  root.children.forEach((child, index) => {
    if (child.name !== 'location') return;
    const overrideMode = overrideModeOf(child);
    result.push({
      file,
      fromWebConfig,
      fileDepth,
      order: index + 1,
      target: [...fileUrl, ...splitSitePath(attribute(child, 'path') ?? '')],
      container: child,
      line: child.line,
      inheritInChildApplications: (attribute(child, 'inheritInChildApplications') ?? 'true').toLowerCase() !== 'false',
      ...(overrideMode === undefined ? {} : { overrideMode }),
    });
  });
  return result;
}

function overrideModeOf(location: XmlElement): 'Allow' | 'Deny' | undefined {
  const mode = attribute(location, 'overrideMode')?.toLowerCase();
  if (mode === 'allow') return 'Allow';
  if (mode === 'deny') return 'Deny';
  const legacy = attribute(location, 'allowOverride')?.toLowerCase();
  if (legacy === 'true') return 'Allow';
  if (legacy === 'false') return 'Deny';
  return undefined;
}
