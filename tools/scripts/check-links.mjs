#!/usr/bin/env node
// Checks the links of Markdown files: a relative link must reach a file or folder that exists (and,
// in a git checkout, is committed, so it exists on a fresh clone) inside the root, and a `#anchor`
// must name a heading of its target; a link that leaves the repository (http:, https:, mailto:, a
// bare URL GitHub would link) is an error: the docs must read the same offline and after a move.
//
//   node tools/scripts/check-links.mjs                       every committed *.md of this checkout
//   node tools/scripts/check-links.mjs [--root DIR] FILE...   these files; DIR bounds "inside"
//
// Prints one `file:line: problem` per broken link and exits with 1 if there is any.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Links that may leave the repository. None: every page must make sense without the network. */
const ALLOWED_EXTERNAL = new Set();

/** A fenced code block, up to its closing fence or the end of the text. */
const FENCED_BLOCK = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[`~]*[ \t]*$|(?![\s\S]))/gm;

/** Masks code (fenced blocks and inline spans) with spaces, keeping offsets and line numbers. */
function maskCode(markdown) {
  const blank = (text) => text.replace(/[^\n]/g, ' ');
  let masked = markdown.replace(FENCED_BLOCK, blank);
  masked = masked.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank);
  return masked.replace(/<!--[\s\S]*?-->/g, blank);
}

/** Every link in a Markdown text: { target, line }. */
export function findLinks(markdown) {
  const text = maskCode(markdown);
  const links = [];
  const lineOf = (index) => text.slice(0, index).split('\n').length;
  const add = (target, index) => links.push({ target, line: lineOf(index) });
  // Inline links and images: [text](target "title") — the target may be wrapped in <>.
  for (const match of text.matchAll(/!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g)) {
    add(match[1].replace(/^<|>$/g, ''), match.index);
  }
  // Reference definitions: [label]: target
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) add(match[1].replace(/^<|>$/g, ''), match.index);
  // Autolinks <scheme:…> and bare URLs, which GitHub links too.
  for (const match of text.matchAll(/<([a-z][a-z0-9+.-]*:[^\s>]+)>/gi)) add(match[1], match.index);
  const withoutLinks = text.replace(/\]\([^)]*\)|<[a-z][a-z0-9+.-]*:[^\s>]+>|^ {0,3}\[[^\]]+\]:.*$/gim, (m) => m.replace(/[^\n]/g, ' '));
  for (const match of withoutLinks.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>()]+/gi)) add(match[0], match.index);
  return links;
}

/** GitHub's anchors for the headings of a Markdown text. */
export function headingAnchors(markdown) {
  const anchors = new Set();
  const counts = new Map();
  const text = markdown.replace(FENCED_BLOCK, '');
  for (const match of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm)) {
    const plain = match[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*_~]/g, (c) => (c === '_' ? '_' : ''));
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return anchors;
}

/**
 * Problems of the links in `files` (absolute paths): [{ file, line, problem }]. `exists(path)` says
 * whether a path inside `root` counts as present (committed, in a checkout).
 */
export function checkFiles(files, { root, exists = existsSync }) {
  const problems = [];
  const anchorsOf = new Map();
  const anchors = (file) => {
    if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(file, 'utf8')));
    return anchorsOf.get(file);
  };
  for (const file of files) {
    const report = (line, problem) => problems.push({ file, line, problem });
    for (const { target, line } of findLinks(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:|^\/\/|^www\./i.test(target)) {
        if (!ALLOWED_EXTERNAL.has(target)) report(line, `${target} leaves the repository; link to a page of the repository instead`);
        continue;
      }
      const hashAt = target.indexOf('#');
      const pathPart = decodeURIComponent(hashAt === -1 ? target : target.slice(0, hashAt));
      const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1));
      const resolved = pathPart === '' ? file : pathPart.startsWith('/') ? join(root, pathPart) : resolve(dirname(file), pathPart);
      const inside = relative(root, resolved);
      if (inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) {
        report(line, `${target} points outside ${root}`);
        continue;
      }
      if (!exists(resolved)) {
        report(line, `${target}: ${relative(root, resolved) || '.'} does not exist`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && /\.md$/i.test(resolved) && statSync(resolved).isFile() && !anchors(resolved).has(anchor)) {
        report(line, `${target}: no heading with the anchor #${anchor} in ${relative(root, resolved)}`);
      }
    }
  }
  return problems.sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
}

/** Committed files of the checkout at `root`, and the folders that hold them. */
function committedPaths(root) {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  const paths = new Set([root]);
  for (const file of files) {
    let path = join(root, file);
    while (!paths.has(path)) {
      paths.add(path);
      path = dirname(path);
    }
  }
  return { files, paths };
}

function main(argv) {
  let root;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = resolve(argv[++i] ?? '');
    else files.push(resolve(argv[i]));
  }
  let exists = existsSync;
  if (files.length === 0) {
    root ??= execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
    const committed = committedPaths(root);
    // A committed file the working tree deleted is gone; an uncommitted one is not on a fresh clone.
    exists = (path) => committed.paths.has(path) && existsSync(path);
    files.push(...committed.files.filter((file) => /\.md$/i.test(file)).map((file) => join(root, file)).filter((file) => existsSync(file)));
  }
  root ??= process.cwd();
  const problems = checkFiles(files, { root, exists });
  for (const { file, line, problem } of problems) console.error(`${relative(process.cwd(), file)}:${line}: ${problem}`);
  console.log(`check-links: ${files.length} Markdown files, ${problems.length} broken or outside links`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
