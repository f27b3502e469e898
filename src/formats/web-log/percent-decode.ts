/** Most rounds of decoding applied to one value: enough for `%25252e`, bounded against hostile input. */
export const MAX_DECODE_ROUNDS = 4;

/**
 * Decodes a logged URI value the way a lenient server stack would, repeating until the text stops
 * changing (at most {@link MAX_DECODE_ROUNDS} rounds): `%xx` bytes, IIS `%uXXXX`, optionally `+` as space,
 * and UTF-8 including overlong forms (`%c0%af` is `/`), so double-encoded and overlong attacks show
 * their real text. Malformed escapes stay as they are. Output is never longer than the input.
 */
export function percentDecode(value: string, plusAsSpace = false): string {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
    if (current.indexOf('%') < 0 && !(plusAsSpace && current.indexOf('+') >= 0)) return current;
    const next = decodeOnce(current, plusAsSpace);
    if (next === current) return current;
    current = next;
    // `+` is only form encoding in the first round; later rounds see literal plus signs.
    plusAsSpace = false;
  }
  return current;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function decodeOnce(text: string, plusAsSpace: boolean): string {
  const bytes: number[] = [];
  let out = '';
  // Start of the run of plain text not yet copied to `out`.
  let plain = 0;
  const flush = (): void => {
    if (bytes.length > 0) {
      out += decodeUtf8Lenient(bytes);
      bytes.length = 0;
    }
  };
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 37 /* % */) {
      const h1 = hexValue(text.charCodeAt(i + 1));
      const h2 = hexValue(text.charCodeAt(i + 2));
      if (h1 >= 0 && h2 >= 0) {
        if (plain < i) {
          flush();
          out += text.slice(plain, i);
        }
        bytes.push(h1 * 16 + h2);
        i += 2;
        plain = i + 1;
        continue;
      }
      if ((text.charCodeAt(i + 1) | 0x20) === 117 /* u */) {
        const u = [2, 3, 4, 5].map((k) => hexValue(text.charCodeAt(i + k)));
        if (u.every((d) => d >= 0)) {
          flush();
          out += text.slice(plain, i) + String.fromCharCode(u.reduce((acc, d) => acc * 16 + d, 0));
          i += 5;
          plain = i + 1;
          continue;
        }
      }
    } else if (code === 43 /* + */ && plusAsSpace) {
      flush();
      out += `${text.slice(plain, i)} `;
      plain = i + 1;
      continue;
    }
  }
  flush();
  return out + text.slice(plain);
}

/**
 * UTF-8 decoding that also accepts overlong two- and three-byte forms (what old decoders let through)
 * and keeps any byte that is not part of a sequence as the Latin-1 character of that byte.
 */
export function decodeUtf8Lenient(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    const need = b0 >= 0xf0 && b0 <= 0xf7 ? 3 : b0 >= 0xe0 ? 2 : b0 >= 0xc0 ? 1 : 0;
    let cp = need === 3 ? b0 & 0x07 : need === 2 ? b0 & 0x0f : b0 & 0x1f;
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k += 1) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (!ok || cp > 0x10ffff) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}
