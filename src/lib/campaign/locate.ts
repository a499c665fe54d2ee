/**
 * Where a field sits in a parsed yaml document, apart from problems.ts so that reporting and
 * counting problems (the follow-up commands do) loads no yaml parser.
 */
import type { Document, LineCounter } from 'yaml';
import { isMap, isNode, isPair, isScalar, isSeq } from 'yaml';

/**
 * The line and column of a field in a parsed yaml document. A missing field points at the
 * nearest existing parent, so "sender.email is required" lands on the `sender:` line.
 */
export function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: { line: number; column: number } | undefined = position(node, counter);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (!pair) break;
      best = position(pair.key, counter) ?? best;
      node = pair.value;
      // A key with a value points at the value, unless the value is a block collection.
      if (isScalar(node)) best = position(node, counter) ?? best;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (node === undefined) break;
      best = position(node, counter) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function position(node: unknown, counter: LineCounter): { line: number; column: number } | undefined {
  if (!isNode(node) || !node.range) return undefined;
  const { line, col } = counter.linePos(node.range[0]);
  return { line, column: col };
}
