// Child process of the FileStateStore crash test: writes deterministic states to a few ids in a
// loop, printing "ack <id index> <n>" after each write resolves, until the parent kills it.
// Usage: node crash-writer.mjs <directory> <ids> <first n>
import { AgentId } from '@agentopera/types';
import { FileStateStore } from '../file-state-store.js';
import { crashState, crashTestIds } from './crash-states.js';

const [directory, idCount, firstN] = process.argv.slice(2);
const store = new FileStateStore(directory!);
const ids: AgentId[] = crashTestIds(Number(idCount));
// Compare-and-set from what is on disk: a torn file would make this get (and the child) fail.
const versions = await Promise.all(ids.map(async (id) => (await store.get(id))?.version ?? null));
process.stdout.write('ready\n');
for (let n = Number(firstN); ; n++) {
  for (const [index, id] of ids.entries()) {
    versions[index] = await store.set(id, crashState(n), { expectedVersion: versions[index] });
    process.stdout.write(`ack ${index} ${n}\n`);
  }
}
