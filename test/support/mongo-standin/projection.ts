/**
 * Projections for find and $project: inclusion or exclusion of (dotted) fields, `_id` kept unless
 * excluded, and computed fields. A projection of top-level fields only is done on the raw bytes.
 */
import { CommandError } from './errors.ts';
import { evaluate } from './expressions.ts';
import { projectTopLevel } from './raw-bson.ts';
import { isRaw, rowDoc, type Row } from './rows.ts';
import { isPlainObject, numericValue, type Doc } from './values.ts';

type Node = { kind: 'include' } | { kind: 'exclude' } | { kind: 'expr'; expr: unknown } | { kind: 'nested'; children: Tree };
type Tree = Map<string, Node>;

export interface Projection {
  apply(row: Row): Row;
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const n = numericValue(value);
  return n === undefined ? undefined : Number(n) !== 0;
}

function addPath(tree: Tree, path: string[], node: Node, full: string): void {
  const [head, ...rest] = path;
  if (head === undefined || head === '') throw new CommandError(40352, `FieldPath cannot be constructed with empty string: '${full}'`);
  if (rest.length === 0) {
    if (tree.has(head)) throw new CommandError(31250, `Path collision at ${full}`);
    tree.set(head, node);
    return;
  }
  let child = tree.get(head);
  if (child === undefined) {
    child = { kind: 'nested', children: new Map() };
    tree.set(head, child);
  }
  if (child.kind !== 'nested') throw new CommandError(31250, `Path collision at ${full}`);
  addPath(child.children, rest, node, full);
}

function build(spec: Doc, tree: Tree, prefix: string, modes: Set<'include' | 'exclude'>): void {
  for (const [key, value] of Object.entries(spec)) {
    const full = prefix ? `${prefix}.${key}` : key;
    const asFlag = flag(value);
    let node: Node;
    if (asFlag !== undefined) {
      node = asFlag ? { kind: 'include' } : { kind: 'exclude' };
      if (full !== '_id') modes.add(node.kind as 'include' | 'exclude');
    } else if (isPlainObject(value) && !Object.keys(value).some((k) => k.startsWith('$'))) {
      const nested: Tree = new Map();
      build(value, nested, full, modes);
      addPath(tree, key.split('.'), { kind: 'nested', children: nested }, full);
      continue;
    } else {
      node = { kind: 'expr', expr: value };
      modes.add('include');
    }
    addPath(tree, key.split('.'), node, full);
  }
}

function includeFields(doc: Doc, tree: Tree, root: Doc, top: boolean): Doc {
  const out: Doc = {};
  if (top) {
    const id = tree.get('_id');
    if (id === undefined && doc._id !== undefined) out._id = doc._id;
  }
  for (const key of Object.keys(doc)) {
    const node = tree.get(key);
    if (!node) continue;
    const value = doc[key];
    if (node.kind === 'include') out[key] = value;
    else if (node.kind === 'nested') {
      if (isPlainObject(value)) out[key] = includeFields(value, node.children, root, false);
      else if (Array.isArray(value)) out[key] = value.filter(isPlainObject).map((el) => includeFields(el, node.children, root, false));
    }
  }
  for (const [key, node] of tree) {
    if (node.kind !== 'expr') continue;
    const value = evaluate(node.expr, root);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function excludeFields(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const node = tree.get(key);
    const value = doc[key];
    if (!node || node.kind === 'include') out[key] = value;
    else if (node.kind === 'nested') {
      if (isPlainObject(value)) out[key] = excludeFields(value, node.children);
      else if (Array.isArray(value)) out[key] = value.map((el) => (isPlainObject(el) ? excludeFields(el, node.children) : el));
      else out[key] = value;
    }
  }
  return out;
}

export function compileProjection(spec: unknown): Projection | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw new CommandError(14, 'projection must be an object');
  if (Object.keys(spec).length === 0) return undefined;
  const tree: Tree = new Map();
  const modes = new Set<'include' | 'exclude'>();
  build(spec, tree, '', modes);
  if (modes.size > 1) throw new CommandError(31254, 'Cannot do exclusion on field in inclusion projection');
  const inclusion = modes.has('include') || (modes.size === 0 && tree.get('_id')?.kind === 'include');
  const flat = [...tree.values()].every((n) => n.kind === 'include' || n.kind === 'exclude');
  const names = new Set([...tree.keys()].filter((k) => k !== '_id'));
  const keepId = tree.get('_id')?.kind !== 'exclude';

  if (inclusion) {
    return {
      apply: (row) => {
        if (flat && isRaw(row)) return projectTopLevel(row, names, true, keepId);
        const doc = isRaw(row) ? rowDoc(row) : row;
        const out = includeFields(doc, tree, doc, true);
        if (!keepId) delete out._id;
        return out;
      },
    };
  }
  return {
    apply: (row) => {
      if (flat && isRaw(row)) return projectTopLevel(row, names, false, keepId);
      return excludeFields(isRaw(row) ? rowDoc(row) : row, tree);
    },
  };
}
