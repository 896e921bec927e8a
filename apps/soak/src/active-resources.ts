/** Counts of `process.getActiveResourcesInfo()` by kind (timers, handles, requests). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Kinds of which `after` holds more than `before`, with the surplus. */
export function leakedResources(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const leaked = new Map<string, number>();
  for (const [kind, count] of after) {
    const surplus = count - (before.get(kind) ?? 0);
    if (surplus > 0) leaked.set(kind, surplus);
  }
  return leaked;
}

export const formatResources = (counts: Map<string, number>): string =>
  counts.size === 0 ? 'none' : [...counts].map(([kind, n]) => `${kind} x${n}`).join(', ');
