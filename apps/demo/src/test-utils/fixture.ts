import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TextSink } from '../text-sink.js';

/**
 * A small input folder whose counts are known:
 * md: 2 files, 4 lines, 11 words, top term "agents" 4
 * ts: 1 file, 2 lines, 7 words, top term "queue" 4
 * txt: 2 files (one nested), 3 lines, 5 words, top term "zebra" 4
 * plus one binary file (skipped) and a node_modules folder (never listed).
 */
export const SMALL_INPUT: Readonly<Record<string, string>> = {
  'a.md': '# Agents\nAgents talk to agents.\nThe engine routes messages.\n',
  'b.md': 'agents everywhere\n',
  'c.ts': 'const queue = new Queue();\nqueue.push(queue);\n',
  'notes.txt': 'zebra zebra zebra\nyak',
  'sub/nested.txt': 'zebra\n',
  'image.bin': 'PNG\u0000\u0001binary',
  'node_modules/pkg/readme.md': 'ignored ignored ignored\n',
};

/** A fresh temporary folder holding `files` (path -> content); `remove()` deletes it. */
export function tempFolder(files: Readonly<Record<string, string>> = {}): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'agentopera-demo-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A `TextSink` that keeps what is written. */
export function captureSink(isTTY = false): TextSink & { text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}
