import { dslTruthy, DslEvalError, evaluateDsl, re2, toText, type DslScope } from './evaluate-dsl.js';
import type { TemplateExtractor, TemplateMatcher } from './http-template.js';
import type { DslValue } from './parse-dsl.js';
import { cachedDsl, renderTemplateText } from './render-template-text.js';

/** Text of a response part: `body`, `header`, `all`/`response`/`raw`, or any response variable. */
export function partText(scope: DslScope, part: string): string {
  const key = part === 'all' || part === 'raw' ? 'response' : part === 'headers' ? 'header' : part;
  return toText(scope.get(key) ?? scope.get(key.replace(/-/g, '_').toLowerCase()) ?? null);
}

function evalSources(sources: readonly string[], scope: DslScope): DslValue[] {
  return sources.map((source) => {
    const node = cachedDsl(renderTemplateText(source, scope));
    if (node === null) return null;
    try {
      return evaluateDsl(node, scope);
    } catch (error) {
      if (error instanceof DslEvalError) return null;
      throw error;
    }
  });
}

/** Whether one matcher matches, `negative` applied. */
export function matcherMatches(matcher: TemplateMatcher, scope: DslScope, bodyBytes: Buffer): boolean {
  const all = matcher.condition === 'and';
  const combine = (results: readonly boolean[]): boolean => (all ? results.length > 0 && results.every(Boolean) : results.some(Boolean));
  let matched: boolean;
  switch (matcher.type) {
    case 'status':
      matched = matcher.status.includes(Number(scope.get('status_code')));
      break;
    case 'size':
      matched = matcher.size.includes(Number(scope.get('content_length')));
      break;
    case 'word': {
      const text = partText(scope, matcher.part);
      const haystack = matcher.caseInsensitive ? text.toLowerCase() : text;
      matched = combine(matcher.words.map((w) => {
        const word = renderTemplateText(w, scope);
        return haystack.includes(matcher.caseInsensitive ? word.toLowerCase() : word);
      }));
      break;
    }
    case 'regex': {
      const text = partText(scope, matcher.part);
      matched = combine(matcher.regex.map((r) => re2(r).test(text)));
      break;
    }
    case 'binary': {
      const bytes = matcher.part === 'body' ? bodyBytes : Buffer.from(partText(scope, matcher.part), 'latin1');
      matched = combine(matcher.binary.map((b) => bytes.includes(b)));
      break;
    }
    case 'dsl':
      matched = combine(evalSources(matcher.dsl, scope).map((v) => v !== null && dslTruthy(v)));
      break;
  }
  return matcher.negative ? !matched : matched;
}

/** Values an extractor pulls from a response. */
export function extract(extractor: TemplateExtractor, scope: DslScope): string[] {
  switch (extractor.type) {
    case 'regex': {
      const text = partText(scope, extractor.part);
      const out: string[] = [];
      for (const pattern of extractor.regex) {
        const global = re2(pattern, 'g');
        global.lastIndex = 0;
        for (const m of text.matchAll(global as unknown as RegExp)) {
          const value = m[extractor.group];
          if (value !== undefined && value !== '') out.push(value);
          if (out.length >= 100) return out;
        }
      }
      return unique(out);
    }
    case 'kval': {
      return unique(extractor.kval.map((key) => toText(scope.get(key.toLowerCase().replace(/-/g, '_')) ?? null)).filter((v) => v !== ''));
    }
    case 'json': {
      let doc: unknown;
      try {
        doc = JSON.parse(partText(scope, extractor.part));
      } catch {
        return [];
      }
      return unique(extractor.json.flatMap((query) => jsonQuery(doc, query)).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).filter((v) => v !== undefined && v !== ''));
    }
    case 'dsl':
      return unique(evalSources(extractor.dsl, scope).filter((v) => v !== null && v !== '').map((v) => toText(v)));
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A small jq subset: `.a.b`, `.a[0]`, `.a[]`, `.[]`, `."key"`. */
export function jsonQuery(doc: unknown, query: string): unknown[] {
  let current: unknown[] = [doc];
  const steps = query.trim().match(/\.\s*"[^"]*"|\.[A-Za-z_$][\w$-]*|\[\d*\]|\./g) ?? [];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === '.') next.push(value);
      else if (step === '[]') {
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === 'object' && value !== null) next.push(...Object.values(value));
      } else if (step.startsWith('[')) {
        if (Array.isArray(value)) next.push(value[Number(step.slice(1, -1))]);
      } else {
        const key = step.replace(/^\.\s*"?|"$/g, '');
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)) next.push((value as Record<string, unknown>)[key]);
      }
    }
    current = next.filter((v) => v !== undefined && v !== null);
  }
  return current;
}
