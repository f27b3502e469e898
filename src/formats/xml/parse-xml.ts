import { XmlError, type XmlErrorCode } from './xml-error.js';
import type { XmlAttribute, XmlElement } from './xml-element.js';

/** Bounds that keep a hostile document from costing more than a large honest one. */
export interface ParseXmlLimits {
  /** Longest accepted input, in UTF-16 code units after decoding (about bytes for ASCII configs). */
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxAttributesPerElement: number;
  readonly maxElements: number;
}

/** Defaults sized well above the largest real applicationHost.config files. */
export const DEFAULT_XML_LIMITS: ParseXmlLimits = {
  maxLength: 16 * 1024 * 1024,
  maxDepth: 256,
  maxAttributesPerElement: 256,
  maxElements: 1_000_000,
};

interface OpenElement {
  readonly name: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  readonly line: number;
  readonly column: number;
  text: string;
}

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/**
 * Parses a whole XML document into an element tree, refusing DTDs and any entity but the five
 * predefined ones and character references, so entity expansion and external fetches cannot happen.
 * Throws `XmlError` for anything it will not read.
 */
export function parseXml(input: string, limits: Partial<ParseXmlLimits> = {}): XmlElement {
  const bounds: ParseXmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  if (input.length > bounds.maxLength) {
    throw new XmlError('xml.too-large', `document is longer than ${bounds.maxLength} characters`, 1, 1);
  }
  // XML end-of-line handling: CRLF and lone CR are read as LF, so line numbers match every editor.
  const text = (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  return new XmlScanner(text, bounds).document();
}

function isNameStart(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x5f ||
    code === 0x3a ||
    (code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && code !== 0xfeff)
  );
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0xb7;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

function isAllowedChar(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff);
}

/** A single forward pass over the text with an explicit element stack, so nesting cannot overflow the JS stack. */
class XmlScanner {
  private pos = 0;
  private elementCount = 0;
  private readonly newlines: number[] = [];

  constructor(
    private readonly text: string,
    private readonly limits: ParseXmlLimits,
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.newlines.push(i);
  }

  document(): XmlElement {
    this.misc(true);
    if (this.pos >= this.text.length) this.fail('xml.malformed', 'no root element');
    if (!this.text.startsWith('<', this.pos)) this.fail('xml.malformed', 'text before the root element');
    const root = this.element();
    this.misc(false);
    if (this.pos < this.text.length) this.fail('xml.malformed', 'content after the root element');
    return root;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  private misc(beforeRoot: boolean): void {
    const { text } = this;
    for (;;) {
      while (this.pos < text.length && isSpace(text.charCodeAt(this.pos))) this.pos += 1;
      if (text.startsWith('<!--', this.pos)) this.comment();
      else if (text.startsWith('<?', this.pos)) this.processingInstruction();
      else if (this.startsWithDoctype()) this.fail('xml.doctype', 'DOCTYPE declarations are refused (DTDs and entities are never expanded)');
      else if (!beforeRoot && text.startsWith('<', this.pos)) this.fail('xml.malformed', 'a second root element');
      else return;
    }
  }

  private startsWithDoctype(): boolean {
    return this.text.startsWith('<!', this.pos) && this.text.slice(this.pos + 2, this.pos + 9).toUpperCase() === 'DOCTYPE';
  }

  private comment(): void {
    const end = this.text.indexOf('-->', this.pos + 4);
    if (end === -1) this.fail('xml.malformed', 'unterminated comment');
    this.pos = end + 3;
  }

  private processingInstruction(): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.name();
    if (target.length === 0) this.fail('xml.malformed', 'processing instruction without a target', start);
    const end = this.text.indexOf('?>', this.pos);
    if (end === -1) this.fail('xml.malformed', 'unterminated processing instruction', start);
    this.pos = end + 2;
  }

  private element(): XmlElement {
    const { text } = this;
    const stack: OpenElement[] = [];
    for (;;) {
      const open = this.startTag();
      const parent = stack[stack.length - 1];
      if (open.selfClosing) {
        const done = close(open.element);
        if (parent === undefined) return done;
        parent.children.push(done);
      } else {
        if (stack.length + 1 > this.limits.maxDepth) this.fail('xml.too-deep', `elements nest deeper than ${this.limits.maxDepth}`, open.start);
        stack.push(open.element);
      }
      // Content until the next start tag, or closing tags until the stack is empty.
      for (;;) {
        const current = stack[stack.length - 1];
        if (current === undefined) this.fail('xml.malformed', 'internal: empty element stack');
        if (this.pos >= text.length) this.fail('xml.malformed', `element <${current.name}> is not closed`, this.pos);
        const lt = text.indexOf('<', this.pos);
        if (lt !== this.pos) {
          const stop = lt === -1 ? text.length : lt;
          current.text += this.decodeText(this.pos, stop);
          this.pos = stop;
          continue;
        }
        if (text.startsWith('</', this.pos)) {
          const start = this.pos;
          this.pos += 2;
          const name = this.name();
          this.skipSpace();
          if (text.charCodeAt(this.pos) !== 0x3e) this.fail('xml.malformed', 'malformed end tag', start);
          this.pos += 1;
          if (name !== current.name) this.fail('xml.malformed', `end tag </${name}> does not match <${current.name}>`, start);
          stack.pop();
          const done = close(current);
          const outer = stack[stack.length - 1];
          if (outer === undefined) return done;
          outer.children.push(done);
        } else if (text.startsWith('<!--', this.pos)) {
          this.comment();
        } else if (text.startsWith('<![CDATA[', this.pos)) {
          const end = text.indexOf(']]>', this.pos + 9);
          if (end === -1) this.fail('xml.malformed', 'unterminated CDATA section');
          current.text += text.slice(this.pos + 9, end);
          this.pos = end + 3;
        } else if (text.startsWith('<?', this.pos)) {
          this.processingInstruction();
        } else if (this.startsWithDoctype()) {
          this.fail('xml.doctype', 'DOCTYPE declarations are refused (DTDs and entities are never expanded)');
        } else if (text.startsWith('<!', this.pos)) {
          this.fail('xml.malformed', 'unsupported markup declaration');
        } else {
          break;
        }
      }
    }
  }

  private startTag(): { element: OpenElement; selfClosing: boolean; start: number } {
    const { text } = this;
    const start = this.pos;
    this.pos += 1;
    const name = this.name();
    if (name.length === 0) this.fail('xml.malformed', 'expected an element name', start);
    this.elementCount += 1;
    if (this.elementCount > this.limits.maxElements) this.fail('xml.too-many-elements', `more than ${this.limits.maxElements} elements`, start);
    const { line, column } = this.locate(start);
    const element: OpenElement = { name, attributes: [], children: [], line, column, text: '' };
    const seen = new Set<string>();
    for (;;) {
      const hadSpace = this.skipSpace();
      const code = text.charCodeAt(this.pos);
      if (code === 0x3e) {
        this.pos += 1;
        return { element, selfClosing: false, start };
      }
      if (code === 0x2f && text.charCodeAt(this.pos + 1) === 0x3e) {
        this.pos += 2;
        return { element, selfClosing: true, start };
      }
      if (this.pos >= text.length) this.fail('xml.malformed', `start tag <${name}> is not closed`, start);
      if (!hadSpace) this.fail('xml.malformed', 'expected whitespace before an attribute');
      const attributeStart = this.pos;
      const attributeName = this.name();
      if (attributeName.length === 0) this.fail('xml.malformed', 'expected an attribute name');
      if (seen.has(attributeName)) this.fail('xml.malformed', `duplicate attribute ${attributeName}`, attributeStart);
      seen.add(attributeName);
      if (element.attributes.length >= this.limits.maxAttributesPerElement) {
        this.fail('xml.too-many-attributes', `more than ${this.limits.maxAttributesPerElement} attributes on <${name}>`, attributeStart);
      }
      this.skipSpace();
      if (text.charCodeAt(this.pos) !== 0x3d) this.fail('xml.malformed', `attribute ${attributeName} has no value`);
      this.pos += 1;
      this.skipSpace();
      const quote = text.charCodeAt(this.pos);
      if (quote !== 0x22 && quote !== 0x27) this.fail('xml.malformed', `attribute ${attributeName} value is not quoted`);
      const end = text.indexOf(quote === 0x22 ? '"' : "'", this.pos + 1);
      if (end === -1) this.fail('xml.malformed', `attribute ${attributeName} value is not closed`, attributeStart);
      const lt = text.indexOf('<', this.pos + 1);
      if (lt !== -1 && lt < end) this.fail('xml.malformed', `'<' in the value of attribute ${attributeName}`, lt);
      // Attribute-value normalization: literal tabs and newlines read as spaces, character references do not.
      const value = this.decodeText(this.pos + 1, end, true);
      element.attributes.push({ name: attributeName, value, line: this.locate(attributeStart).line });
      this.pos = end + 1;
    }
  }

  private name(): string {
    const { text } = this;
    const start = this.pos;
    if (this.pos < text.length && isNameStart(text.charCodeAt(this.pos))) {
      this.pos += 1;
      while (this.pos < text.length && isNameChar(text.charCodeAt(this.pos))) this.pos += 1;
    }
    return text.slice(start, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos += 1;
    return this.pos > start;
  }

  /** Decodes character data between `from` and `to`, expanding only predefined entities and character references. */
  private decodeText(from: number, to: number, attribute = false): string {
    const { text } = this;
    let out = '';
    let runStart = from;
    for (let i = from; i < to; i += 1) {
      const code = text.charCodeAt(i);
      if (code === 0x26) {
        out += text.slice(runStart, i);
        const semicolon = text.indexOf(';', i + 1);
        // Entity names are short; a far-away semicolon means a stray ampersand, not a reference.
        if (semicolon === -1 || semicolon >= to || semicolon - i > 12) this.fail('xml.malformed', "'&' that does not start a reference", i);
        out += this.reference(text.slice(i + 1, semicolon), i);
        i = semicolon;
        runStart = i + 1;
      } else if (attribute && (code === 0x0a || code === 0x09)) {
        out += text.slice(runStart, i) + ' ';
        runStart = i + 1;
      } else if (code < 0x20 && code !== 0x0a && code !== 0x09) {
        this.fail('xml.malformed', `control character U+${code.toString(16).padStart(4, '0')}`, i);
      } else if (code === 0x3e && !attribute && text.startsWith(']]>', i - 2) && i - 2 >= from) {
        this.fail('xml.malformed', "']]>' in character data", i - 2);
      }
    }
    return out + text.slice(runStart, to);
  }

  private reference(body: string, at: number): string {
    const predefined = PREDEFINED_ENTITIES.get(body);
    if (predefined !== undefined) return predefined;
    let code = Number.NaN;
    if (/^#x[0-9a-fA-F]{1,6}$/.test(body)) code = Number.parseInt(body.slice(2), 16);
    else if (/^#[0-9]{1,7}$/.test(body)) code = Number.parseInt(body.slice(1), 10);
    else this.fail('xml.malformed', `undefined entity &${body.slice(0, 12)};`, at);
    if (!isAllowedChar(code)) this.fail('xml.malformed', `character reference &${body}; is not an XML character`, at);
    return String.fromCodePoint(code);
  }

  private locate(offset: number): { line: number; column: number } {
    const { newlines } = this;
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((newlines[mid] ?? 0) < offset) low = mid + 1;
      else high = mid;
    }
    const lineStart = low === 0 ? 0 : (newlines[low - 1] ?? -1) + 1;
    return { line: low + 1, column: offset - lineStart + 1 };
  }

  private fail(code: XmlErrorCode, message: string, at: number = this.pos): never {
    const { line, column } = this.locate(Math.min(at, this.text.length));
    throw new XmlError(code, message, line, column);
  }
}

function close(open: OpenElement): XmlElement {
  const base = { name: open.name, attributes: open.attributes, children: open.children, line: open.line, column: open.column };
  return /\S/.test(open.text) ? { ...base, text: open.text } : base;
}
