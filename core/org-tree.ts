/** Walks of the union tree: a union's whole subtree, and the path from a union up to the root. Pure. */
export type OrgLink = { id: string; parentId: string | null };

export function subtreeOf(orgs: readonly OrgLink[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const o of orgs) if (o.parentId) children.set(o.parentId, [...(children.get(o.parentId) ?? []), o.id]);
  const out = new Set<string>();
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/** The org and every union above it, nearest first. */
export function pathOf(orgs: readonly OrgLink[], orgId: string): string[] {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const path: string[] = [];
  for (let cur = byId.get(orgId); cur && !path.includes(cur.id); cur = cur.parentId ? byId.get(cur.parentId) : undefined) path.push(cur.id);
  return path;
}
