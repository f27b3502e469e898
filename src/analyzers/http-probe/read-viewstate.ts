/** What the bytes of a `__VIEWSTATE` value say about its protection. */
export interface ViewStateShape {
  /** LosFormatter/ObjectStateFormatter output in clear (starts 0xFF 0x01). */
  readonly plain: boolean;
  /** For plain view state: true when nothing follows the serialized graph (no MAC), false when a 20–64 byte MAC follows, undefined when unknown. */
  readonly macMissing?: boolean;
}

const MAC_LENGTHS = new Set([20, 32, 48, 64]);
const MAX_NODES = 100_000;

/** Reads a base64 `__VIEWSTATE`: whether it is plain, and whether a MAC follows the serialized object graph. Never throws. */
export function readViewState(value: string): ViewStateShape | undefined {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 2) return undefined;
  if (bytes[0] !== 0xff || bytes[1] !== 0x01) return { plain: false };
  const reader = new OsfReader(bytes, 2);
  try {
    reader.object(0);
  } catch {
    return { plain: true };
  }
  const rest = bytes.length - reader.offset;
  if (rest === 0) return { plain: true, macMissing: true };
  if (MAC_LENGTHS.has(rest)) return { plain: true, macMissing: false };
  return { plain: true };
}

/** A bounded reader of the ObjectStateFormatter token stream (System.Web.UI.ObjectStateFormatter). */
class OsfReader {
  #nodes = 0;
  constructor(
    private readonly bytes: Buffer,
    public offset: number,
  ) {}

  object(depth: number): void {
    if (depth > 64 || (this.#nodes += 1) > MAX_NODES) throw new Error('too deep');
    const token = this.byte();
    switch (token) {
      case 0x01: return this.skip(2);
      case 0x02: case 0x0a: case 0x2b: this.int7(); return;
      case 0x03: case 0x04: case 0x1f: return this.skip(1);
      case 0x05: case 0x1e: case 0x29: case 0x2a: return this.string();
      case 0x06: case 0x07: return this.skip(8);
      case 0x08: case 0x09: return this.skip(4);
      case 0x0b: this.type(); this.int7(); return;
      case 0x0c: case 0x1c: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: return;
      case 0x0f: this.object(depth + 1); this.object(depth + 1); return;
      case 0x10: this.object(depth + 1); this.object(depth + 1); this.object(depth + 1); return;
      case 0x14: { this.type(); const n = this.int7(); for (let i = 0; i < n; i += 1) this.object(depth + 1); return; }
      case 0x15: { const n = this.int7(); for (let i = 0; i < n; i += 1) this.string(); return; }
      case 0x16: { const n = this.int7(); for (let i = 0; i < n; i += 1) this.object(depth + 1); return; }
      case 0x17: case 0x18: { const n = this.int7(); for (let i = 0; i < 2 * n; i += 1) this.object(depth + 1); return; }
      case 0x19: return this.type();
      case 0x1b: return this.skip(12);
      case 0x28: this.type(); this.string(); return;
      case 0x32: return this.skip(this.int7());
      case 0x3c: { this.type(); this.int7(); const n = this.int7(); for (let i = 0; i < n; i += 1) { this.int7(); this.object(depth + 1); } return; }
      default: throw new Error(`unknown token ${token}`);
    }
  }

  type(): void {
    const token = this.byte();
    if (token === 0x29 || token === 0x2a) this.string();
    else if (token === 0x2b) this.int7();
    else throw new Error('bad type token');
  }

  string(): void {
    this.skip(this.int7());
  }

  int7(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
    }
    throw new Error('bad length');
  }

  byte(): number {
    const b = this.bytes[this.offset];
    if (b === undefined) throw new Error('truncated');
    this.offset += 1;
    return b;
  }

  skip(n: number): void {
    if (this.offset + n > this.bytes.length) throw new Error('truncated');
    this.offset += n;
  }
}
