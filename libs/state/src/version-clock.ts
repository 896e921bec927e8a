// Versions of the file store are decimal microsecond-clock readings, bumped past the previous
// version of the same entry and past every version this process issued. So they grow with every
// write of an id, and an id deleted and written again gets a version it never had before (a writer
// holding a version from before the delete cannot win a compare-and-set), as long as the system
// clock does not go back across restarts. They stay below 2^53 until the year 2255.

let lastIssued = 0;

/** A version greater than `previous` (when it is one of ours) and than any issued before in this process. */
export function nextVersion(previous: string | null): string {
  const previousNumber = previous !== null && /^\d{1,16}$/.test(previous) ? Number(previous) : 0;
  lastIssued = Math.max(Date.now() * 1000, lastIssued + 1, previousNumber + 1);
  return String(lastIssued);
}
