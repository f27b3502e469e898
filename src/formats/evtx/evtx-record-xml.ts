import type { EvtxRecord } from './parse-evtx-chunk.js';
import { valueXmlText, type EvtxValue } from './evtx-value.js';
import { walkEvtx, type EvtxResolvedAttribute, type EvtxVisitor } from './walk-evtx.js';

function escapeXml(text: string, attribute: boolean): string {
  let out = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (attribute) out = out.replaceAll('"', '&quot;');
  return out;
}

interface Frame {
  readonly name: string;
  readonly start: string;
  text: string;
  hasChildren: boolean;
}

/** Renders the XML the way libevtx's `evtxexport` does: two-space indent, one element per line. */
class XmlWriter implements EvtxVisitor {
  out = '';
  private readonly stack: Frame[] = [];

  private flushOpen(): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && !top.hasChildren) {
      top.hasChildren = true;
      this.out += `${top.start}>${escapeXml(top.text, false)}\n`;
    }
  }

  open(name: string, attributes: readonly EvtxResolvedAttribute[]): void {
    this.flushOpen();
    let start = `${'  '.repeat(this.stack.length)}<${name}`;
    for (const attribute of attributes) {
      if (attribute.value.kind === 'null') continue;
      start += ` ${attribute.name}="${escapeXml(valueXmlText(attribute.value), true)}"`;
    }
    this.stack.push({ name, start, text: '', hasChildren: false });
  }

  close(): void {
    const top = this.stack.pop();
    if (top === undefined) return;
    if (top.hasChildren) this.out += `${'  '.repeat(this.stack.length)}</${top.name}>\n`;
    else if (top.text === '') this.out += `${top.start}/>\n`;
    else this.out += `${top.start}>${escapeXml(top.text, false)}</${top.name}>\n`;
  }

  text(value: EvtxValue): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined) top.text += valueXmlText(value);
  }
}

/** The record as XML, as `evtxexport -f xml` prints it. */
export function evtxRecordXml(record: EvtxRecord): string {
  const writer = new XmlWriter();
  walkEvtx(record.nodes, undefined, writer);
  return writer.out;
}
