// Declarations are the public API. TypeScript keeps `private x;` lines in .d.ts files (so that
// subclasses cannot reuse the names and classes stay nominal), but also the doc comments of those
// members: notes about internals that no user can act on. This removes those comments.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The declaration text without the comments attached to private class members. */
export function stripPrivateMemberComments(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const cuts = [];
  const visit = (node) => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (!isPrivate(member)) continue;
        for (const range of ts.getLeadingCommentRanges(text, member.pos) ?? []) cuts.push(wholeLines(text, range.pos, range.end));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let result = text;
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) result = result.slice(0, start) + result.slice(end);
  return result;
}

function isPrivate(member) {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true;
  return (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Private) !== 0;
}

/** Widens [start, end) to whole lines when the comment stands on lines of its own. */
function wholeLines(text, start, end) {
  let lineStart = start;
  while (lineStart > 0 && (text[lineStart - 1] === ' ' || text[lineStart - 1] === '\t')) lineStart--;
  let lineEnd = end;
  while (lineEnd < text.length && (text[lineEnd] === ' ' || text[lineEnd] === '\t')) lineEnd++;
  const ownLines = (lineStart === 0 || text[lineStart - 1] === '\n') && (lineEnd === text.length || text[lineEnd] === '\n');
  return ownLines ? [lineStart, Math.min(lineEnd + 1, text.length)] : [start, end];
}

/** Applies `stripPrivateMemberComments` to every .d.ts file under `folder`. */
export function stripPrivateMemberCommentsIn(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const text = readFileSync(file, 'utf8');
    const stripped = stripPrivateMemberComments(file, text);
    if (stripped !== text) writeFileSync(file, stripped);
  }
}
