import { AgentId } from '@agentopera/types';

/**
 * Legal agent ids chosen to break naive encodings: path traversal, separators, case folding,
 * prefixes, percent and base64 look-alikes, control characters, lone surrogates (which UTF-8
 * encoders turn into the same U+FFFD), and keys far beyond file-name limits. No two are equal,
 * so a store must keep one entry for each.
 */
export function hostileAgentIds(): AgentId[] {
  const keys = [
    '', '.', '..', '../../x', '../..', '/', '//', 'a/b', 'a/b/', '/a/b', 'a\\b', '..\\..\\x', ' ', '  ', 'with space',
    ' leading', 'trailing ', 'Key', 'key', 'KEY', 'a', 'ab', 'abc', 'a.', 'a..', 'a%2Fb', 'a%2fb', 'YS9i', 'YS9i=',
    '\u0000', 'nul\u0000byte', 'line\nbreak', 'tab\tstop', '~', '*', '?', ':', 'con', 'CON', 'nul.txt',
    'ünïcødé', 'u\u0308nicode', 'üñîçødé', '漢字', '🎉', '\ud800', '\udc00', '\ud800\udc00', '\uffff',
    'x'.repeat(1000), 'x'.repeat(999), 'X'.repeat(1000), '漢'.repeat(1000), '🎉'.repeat(500),
  ];
  const ids = keys.map((key) => new AgentId('hostile', key));
  // Types are restricted to ^[\w\-.]+$, yet '.', '..' and case variants are legal; and a type/key
  // split must not be confused with another split of the same characters.
  for (const [type, key] of [
    ['.', 'x'], ['..', 'x'], ['..', '..'], ['Hostile', 'x'], ['HOSTILE', 'x'], ['hostile.x', 'y'], ['hostile', 'x.y'],
    ['hostile-x', 'y'], ['hostile', 'x-y'], ['hostile_x', 'y'], ['hostile', 'x_y'], ['h', 'ostile/x'],
    ['t'.repeat(300), 'k'], ['t'.repeat(300), 'k'.repeat(1000)],
  ] as const) {
    ids.push(new AgentId(type, key));
  }
  return ids;
}
