// The flow tree's edits as pure functions: every change returns a new root (nodes are values).
import type { FlowNode } from "../../../api/flows";

export interface Placed {
  node: FlowNode;
  depth: number;
  parentId: string | null;
  index: number;
  siblings: number;
}

/** Every node, depth first, with where it sits. */
export function flatten(root: FlowNode): Placed[] {
  const out: Placed[] = [];
  const walk = (node: FlowNode, depth: number, parentId: string | null, index: number,
                siblings: number) => {
    out.push({ node, depth, parentId, index, siblings });
    const children = node.children ?? [];
    children.forEach((child, i) => walk(child, depth + 1, node.id, i, children.length));
  };
  walk(root, 0, null, 0, 1);
  return out;
}

export function find(root: FlowNode, id: string): FlowNode | null {
  if (root.id === id) return root;
  for (const child of root.children ?? []) {
    const hit = find(child, id);
    if (hit) return hit;
  }
  return null;
}

/** The ids from the root down to ``id`` (empty when it is not in the tree). */
export function pathTo(root: FlowNode, id: string): string[] {
  if (root.id === id) return [root.id];
  for (const child of root.children ?? []) {
    const below = pathTo(child, id);
    if (below.length) return [root.id, ...below];
  }
  return [];
}

/** The tree with ``id`` replaced by ``change(node)``. */
export function update(root: FlowNode, id: string, change: (node: FlowNode) => FlowNode): FlowNode {
  if (root.id === id) return change(root);
  if (!root.children?.length) return root;
  let changed = false;
  const children = root.children.map((child) => {
    const next = update(child, id, change);
    if (next !== child) changed = true;
    return next;
  });
  return changed ? { ...root, children } : root;
}

/** The parent's children list changed by ``change`` (the node ``id`` sits in it). */
function withSiblings(root: FlowNode, id: string,
                      change: (list: FlowNode[], index: number) => FlowNode[]): FlowNode {
  const path = pathTo(root, id);
  if (path.length < 2) return root;
  const parentId = path[path.length - 2]!;
  return update(root, parentId, (parent) => {
    const list = parent.children ?? [];
    return { ...parent, children: change(list, list.findIndex((n) => n.id === id)) };
  });
}

export function addChild(root: FlowNode, parentId: string, node: FlowNode): FlowNode {
  return update(root, parentId, (parent) => ({ ...parent, children: [...(parent.children ?? []), node] }));
}

export function addSibling(root: FlowNode, id: string, node: FlowNode): FlowNode {
  return withSiblings(root, id, (list, i) => [...list.slice(0, i + 1), node, ...list.slice(i + 1)]);
}

export function remove(root: FlowNode, id: string): FlowNode {
  return withSiblings(root, id, (list) => list.filter((n) => n.id !== id));
}

export function move(root: FlowNode, id: string, by: -1 | 1): FlowNode {
  return withSiblings(root, id, (list, i) => {
    const j = i + by;
    if (j < 0 || j >= list.length) return list;
    const next = [...list];
    [next[i], next[j]] = [next[j]!, next[i]!];
    return next;
  });
}

/** A fresh id, not yet used in the tree ("n-" and six letters or digits). */
export function newId(root: FlowNode): string {
  const used = new Set(flatten(root).map((p) => p.node.id));
  for (;;) {
    const id = `n-${Math.random().toString(36).slice(2, 8)}`;
    if (!used.has(id)) return id;
  }
}

/** The label of a node in lists: its title, else the start of its answer, else its id. */
export function label(node: FlowNode): string {
  const answer = (node.answer ?? "").split("\n")[0]!.trim();
  return node.title?.trim() || (answer.length > 40 ? `${answer.slice(0, 40)}…` : answer) || node.id;
}
