import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, parseDocument, visit, type Node as YamlNode } from 'yaml';
import {
  ceremonyDigest,
  ceremonyFileError,
  checkCeremonySize,
  validateCeremony,
  type FieldPath,
  type LoadedCeremony,
} from '../../../core/ceremony';
import { sha256 } from '../../crypto';
import { stationError } from '../../errors';

/**
 * Reading a ceremony file (docs/ceremony-format.md) from bytes or from a path: a strict YAML decode
 * (one document, UTF-8, duplicate keys, anchors, aliases and explicit tags refused, size limited), then
 * the pure validation in src/core/ceremony, which names the field path; every refusal here names the
 * file and line too. The digest is over the exact bytes read, so it is the digest of what was checked.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A YAML node's first line, when the decoder kept its range. */
function lineOfNode(
  lines: LineCounter,
  node: { range?: [number, number, number] | null } | null | undefined,
) {
  return node?.range ? lines.linePos(node.range[0]).line : null;
}

/** Decodes and validates a ceremony file's bytes; `source` names it in every message. */
export function parseCeremonyBytes(bytes: Uint8Array, source: string): LoadedCeremony {
  checkCeremonySize(bytes.length, source);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw ceremonyFileError('CEREMONY_FILE_INVALID', source, [], 'is not UTF-8 text');
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    schema: 'core',
    merge: false,
    strict: true,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const line = lines.linePos(problem.pos[0]).line;
    const what =
      problem.code === 'DUPLICATE_KEY'
        ? 'appears twice: each key is written once'
        : `is not valid YAML: ${problem.message.split('\n')[0]}`;
    throw ceremonyFileError(
      'CEREMONY_FILE_INVALID',
      source,
      pathAt(doc.contents, problem.pos[0]),
      what,
      line,
    );
  }
  // Anchors, aliases and explicit tags: a script means what it says where it says it.
  visit(doc, {
    Node(_, node, ancestors) {
      const path = pathOf(ancestors, node);
      const line = lineOfNode(lines, node);
      if (isAlias(node)) {
        throw ceremonyFileError(
          'CEREMONY_FILE_INVALID',
          source,
          path,
          `is an alias (*${node.source}): aliases are refused`,
          line,
        );
      }
      if (node.anchor) {
        throw ceremonyFileError(
          'CEREMONY_FILE_INVALID',
          source,
          path,
          `sets an anchor (&${node.anchor}): anchors are refused`,
          line,
        );
      }
      if (node.tag) {
        throw ceremonyFileError(
          'CEREMONY_FILE_INVALID',
          source,
          path,
          `has the tag ${node.tag}: tags are refused`,
          line,
        );
      }
      return undefined;
    },
  });
  const lineOf = (path: FieldPath): number | null => {
    const keys = path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p));
    // The deepest node the path reaches (an unknown key's own node, else its parent's).
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as YamlNode | undefined;
      const line = lineOfNode(lines, node);
      if (line !== null) return line;
    }
    return null;
  };
  const file = validateCeremony(doc.toJS({ maxAliasCount: 0 }), source, lineOf);
  return { file, source, size: bytes.length, digest: ceremonyDigest(bytes, sha256) };
}

/** Reads one ceremony file: a regular file no larger than the limit (checked before it is read). */
export function loadCeremonyFile(path: string): LoadedCeremony {
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (!st.isFile())
      throw stationError('CEREMONY_FILE_UNREADABLE', `${path} is not a regular file`, {
        field: 'file',
        source: path,
      });
    checkCeremonySize(st.size, path);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && !('data' in e)) {
      throw stationError('CEREMONY_FILE_UNREADABLE', `${path} cannot be read (${e.code})`, {
        field: 'file',
        source: path,
      });
    }
    throw e;
  }
  return parseCeremonyBytes(bytes, path);
}

/** The path of keys and indexes from the document root to a node, from the visitor's ancestors. */
function pathOf(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const chain = [...ancestors, node];
  const path: (string | number)[] = [];
  for (let i = 0; i < chain.length; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (next === undefined) break;
    if (isMap(a)) {
      // next is a Pair; its key names the step.
      const pair = next as { key: unknown };
      path.push(isScalar(pair.key) ? String(pair.key.value) : '?');
    } else if (a && typeof a === 'object' && 'items' in a && Array.isArray(a.items)) {
      path.push(a.items.indexOf(next));
    }
  }
  return path;
}

/** The path of the innermost pair or item whose range holds an offset (for a parse error's location). */
function pathAt(node: unknown, offset: number, path: (string | number)[] = []): (string | number)[] {
  if (!node || typeof node !== 'object' || !('items' in node) || !Array.isArray(node.items)) return path;
  const items = node.items as unknown[];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as { key?: { range?: number[] }; value?: { range?: number[] }; range?: number[] };
    if (isMap(node)) {
      const start = item.key?.range?.[0];
      const end = item.value?.range?.[2] ?? item.key?.range?.[2];
      if (start !== undefined && end !== undefined && offset >= start && offset <= end) {
        const key = isScalar(item.key) ? String(item.key.value) : '?';
        return pathAt(item.value, offset, [...path, key]);
      }
    } else if (item.range && offset >= (item.range[0] ?? 0) && offset <= (item.range[2] ?? 0)) {
      return pathAt(item, offset, [...path, i]);
    }
  }
  return path;
}
