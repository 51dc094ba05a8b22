/**
 * Which comparisons a filter puts on each top-level field, for a secondary index to narrow the
 * documents a query reads. Only comparisons every match must satisfy count: the filter's own
 * fields and those of its `$and` clauses (a conjunction), never `$or`, `$nor` or `$not`. Dotted
 * paths are left out: the indexes the stand-in uses are on top-level fields.
 */
import type { RangeConstraint, RangeOperator } from './field-index.ts';
import { isOperatorDocument, isPlainObject, type Doc } from './values.ts';

const RANGE_OPERATORS = new Set<string>(['$eq', '$gt', '$gte', '$lt', '$lte'] satisfies RangeOperator[]);

export type FieldConstraints = Map<string, RangeConstraint[]>;

/** The comparisons by field; empty when there are none. The filter has compiled, so it is valid. */
export function rangeConstraints(filter: Doc): FieldConstraints {
  const out: FieldConstraints = new Map();
  const add = (field: string, constraint: RangeConstraint): void => {
    const list = out.get(field);
    if (list) list.push(constraint);
    else out.set(field, [constraint]);
  };
  const visit = (clause: Doc): void => {
    for (const [key, value] of Object.entries(clause)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const inner of value) if (isPlainObject(inner)) visit(inner);
        continue;
      }
      if (key.startsWith('$') || key.includes('.')) continue;
      if (!isOperatorDocument(value)) {
        // Implicit equality; a regex, array or document value is declined by the index.
        add(key, { op: '$eq', value });
        continue;
      }
      for (const [op, arg] of Object.entries(value)) if (RANGE_OPERATORS.has(op)) add(key, { op: op as RangeOperator, value: arg });
    }
  };
  visit(filter);
  return out;
}
