// `npm run soak [-- --messages N] [--agents N] [--batch N]`: the message soak (message-soak.ts).
// `npm run soak -- --distinct-agents N [--max-active N]`: N distinct agents with state, under
// maxActiveAgents, through a FileStateStore (distinct-agents-soak.ts).
// Exit code 0 when the soak passes, 1 when it fails, 2 for a bad command line.
import { describeDistinctAgentsResult, runDistinctAgentsSoak } from './distinct-agents-soak.js';
import { runMessageSoak } from './message-soak.js';
import { parseSoakArgs, type SoakOptions } from './soak-options.js';

async function main(options: SoakOptions): Promise<number> {
  if (options.kind === 'messages') return runMessageSoak(options);
  const result = await runDistinctAgentsSoak(options, (line) => console.log(line));
  for (const line of describeDistinctAgentsResult(result, options.distinctAgents)) console.log(line);
  for (const failure of result.failures) console.error(`FAIL ${failure}`);
  console.log(result.failures.length === 0 ? 'soak: PASS' : 'soak: FAIL');
  return result.failures.length === 0 ? 0 : 1;
}

let options: SoakOptions | undefined;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  console.error(`soak: ${(error as Error).message}`);
  process.exitCode = 2;
}
if (options !== undefined) {
  main(options).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
