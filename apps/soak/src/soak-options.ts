/** The soak chosen on the command line. */
export type SoakOptions =
  | { readonly kind: 'messages'; readonly messages: number; readonly agents: number; readonly batch: number }
  | { readonly kind: 'distinct-agents'; readonly distinctAgents: number; readonly maxActive: number };

const MESSAGE_FLAGS = ['--messages', '--agents', '--batch'] as const;
const DISTINCT_FLAGS = ['--distinct-agents', '--max-active'] as const;

export const USAGE = `usage: npm run soak [-- --messages N] [--agents N] [--batch N]
       npm run soak -- --distinct-agents N [--max-active N]`;

/**
 * Parses the arguments after the script. Without `--distinct-agents` it is the message soak
 * (10,000,000 messages over 1,000 agents in batches of 10,000 unless told otherwise); with it,
 * the distinct-agents soak (`--max-active` defaults to 10,000). Throws on anything else.
 */
export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const values = new Map<string, number>();
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index];
    if (!([...MESSAGE_FLAGS, ...DISTINCT_FLAGS] as readonly string[]).includes(flag)) throw new Error(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
    const text = argv[index + 1];
    const value = text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`${flag} needs a positive integer, got ${JSON.stringify(text)}\n${USAGE}`);
    values.set(flag, value);
  }
  const distinct = values.get('--distinct-agents');
  if (distinct === undefined) {
    if (values.has('--max-active')) throw new Error(`--max-active goes with --distinct-agents\n${USAGE}`);
    return {
      kind: 'messages',
      messages: values.get('--messages') ?? 10_000_000,
      agents: values.get('--agents') ?? 1_000,
      batch: values.get('--batch') ?? 10_000,
    };
  }
  const mixed = MESSAGE_FLAGS.find((flag) => values.has(flag));
  if (mixed !== undefined) throw new Error(`${mixed} does not go with --distinct-agents\n${USAGE}`);
  return { kind: 'distinct-agents', distinctAgents: distinct, maxActive: values.get('--max-active') ?? 10_000 };
}
