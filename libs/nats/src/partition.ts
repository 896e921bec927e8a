/**
 * 32-bit FNV-1a of the UTF-8 bytes of `value` (lone surrogates count as U+FFFD, as TextEncoder
 * writes them). Computed without allocating: it runs for every message sent.
 */
export function fnv1a32(value: string): number {
  let hash = 0x811c9dc5;
  const step = (byte: number): void => {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  };
  for (let i = 0; i < value.length; i++) {
    let code = value.charCodeAt(i);
    if (code < 0x80) {
      hash ^= code;
      hash = Math.imul(hash, 0x01000193);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const low = value.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    } else if (code >= 0xd800 && code <= 0xdfff) {
      code = 0xfffd;
    }
    if (code < 0x800) {
      step(0xc0 | (code >> 6));
    } else if (code < 0x10000) {
      step(0xe0 | (code >> 12));
      step(0x80 | ((code >> 6) & 0x3f));
    } else {
      step(0xf0 | (code >> 18));
      step(0x80 | ((code >> 12) & 0x3f));
      step(0x80 | ((code >> 6) & 0x3f));
    }
    step(0x80 | (code & 0x3f));
  }
  return hash >>> 0;
}

/** The partition of an agent: `fnv1a32(type + "/" + key) mod partitions`. */
export function partitionOf(type: string, key: string, partitions: number): number {
  return fnv1a32(`${type}/${key}`) % partitions;
}
