/** A WHERE clause with numbered parameters, for the list queries: each clause's `?` becomes its `$n`. */
export function whereBuilder(where: string[] = [], values: unknown[] = []) {
  /** Values fill the clause's `?` in order; a single value stands for every `?` of its clause. */
  const add = (clause: string, ...vs: unknown[]) => {
    if (vs.length === 1) {
      values.push(vs[0]);
      where.push(clause.replaceAll('?', `$${values.length}`));
      return;
    }
    let text = clause;
    for (const v of vs) {
      values.push(v);
      text = text.replace('?', `$${values.length}`);
    }
    where.push(text);
  };
  /** One value is `=`, not `= ANY(...)`: PostgreSQL 15 walks a (column, key DESC) index in order only for `=`. */
  const inSet = (column: string, set: ReadonlySet<string> | undefined) => {
    if (!set) return;
    if (set.size === 1) add(`${column} = ?`, [...set][0]);
    else add(`${column} = ANY(?::text[])`, [...set]);
  };
  return { where, values, add, inSet };
}
