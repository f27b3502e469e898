import type { CollectionItem } from '../../formats/iis-config/effective-section.js';
import type { XmlElement } from '../../formats/xml/xml-element.js';
import { attributeValue } from '../../formats/xml/xml-element.js';
import { auditRule } from './check-rule.js';
import { notEvaluated, PASS, type CheckResult, type ConfigCheck } from './config-check.js';
import { readSection } from './read-setting.js';
import { commandFix } from './setting-fix.js';

const CRAWLERS = /googlebot|bingbot|baiduspider|yandex|sogou|360spider|yisouspider|bytespider|slurp|duckduckbot|spider|crawler/i;
const SEARCH_REFERERS = /google|bing|baidu|yahoo|yandex|sogou|naver|so\.com/i;
const INJECTED_CONTENT = /<\s*script|<\s*iframe|document\.write|eval\s*\(|window\.location/i;

function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** What is suspicious about one rewrite rule, if anything. */
function judgeRule(rule: CollectionItem, outbound: boolean): string | undefined {
  const action = children(rule.element, 'action').at(-1);
  if (action === undefined) return undefined;
  const type = (attributeValue(action, 'type') ?? (outbound ? 'Rewrite' : 'None')).toLowerCase();
  if (outbound) {
    const value = attributeValue(action, 'value') ?? '';
    return type === 'rewrite' && INJECTED_CONTENT.test(value) ? 'outbound rule writes script or frame markup into responses' : undefined;
  }
  const url = attributeValue(action, 'url') ?? '';
  if ((type !== 'rewrite' && type !== 'redirect') || !/^https?:\/\//i.test(url.trim())) return undefined;
  const conditions = children(rule.element, 'conditions').flatMap((group) => children(group, 'add'));
  const byAgent = conditions.some((condition) => /\{HTTP_USER_AGENT\}/i.test(attributeValue(condition, 'input') ?? '') && CRAWLERS.test(attributeValue(condition, 'pattern') ?? ''));
  if (byAgent) return 'requests from search-engine crawlers are sent elsewhere (SEO cloaking)';
  const byReferer = conditions.some((condition) => /\{HTTP_REFERER\}/i.test(attributeValue(condition, 'input') ?? '') && SEARCH_REFERERS.test(attributeValue(condition, 'pattern') ?? ''));
  if (byReferer) return 'visitors arriving from search engines are sent elsewhere (traffic hijacking)';
  return undefined;
}

const rewriteAbuse: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'rewrite-rule-abuse',
    title: 'URL Rewrite rule cloaks for crawlers or injects content',
    description:
      'IIS malware and SEO-fraud kits hide in URL Rewrite: rules that answer search-engine crawlers or search visitors with another site, or outbound rules that insert scripts into every page.',
    severity: 'high',
    category: 'persistence',
    tags: ['attack.t1505', 'attack.t1608.004'],
    remediation: commandFix(
      'Remove the rule, then look for who added it.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE" -section:system.webServer/rewrite/rules /-"[name=\'RULE\']"',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.webServer/rewrite/rules' -Name '.' -AtElement @{name='RULE'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/rewrite');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const [list, outbound] of [
      ['globalRules', false],
      ['rules', false],
      ['outboundRules', true],
    ] as const) {
      for (const rule of read.section.children.get(list)?.items ?? []) {
        const why = judgeRule(rule, outbound);
        if (why === undefined) continue;
        const action = children(rule.element, 'action').at(-1);
        const name = rule.attributes.get('name')?.value ?? '';
        results.push({
          status: 'fail',
          location: `system.webServer/rewrite/${list}/rule[@name='${name}']/action`,
          attribute: outbound ? 'value' : 'url',
          found: (action === undefined ? undefined : attributeValue(action, outbound ? 'value' : 'url')) ?? '',
          expected: 'no cloaking or injected content',
          file: rule.file,
          line: rule.line,
          note: why,
        });
      }
    }
    return results.length === 0 ? [PASS] : results;
  },
};

/** Checks of URL Rewrite rules used for SEO fraud and content injection. */
export const REWRITE_CHECKS: readonly ConfigCheck[] = [rewriteAbuse];
