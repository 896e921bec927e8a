// The engine's partition function (FNV-1a of the UTF-8 bytes, mod P), to find an agent on a given
// worker; ASCII keys only here.
export function partitionOf(type: string, key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${type}/${key}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % partitions;
}
