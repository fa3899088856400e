// The comparison of an experiment's arms once they have ended: for every field, agreement between each
// pair of arms (by the field's kind), a confusion matrix for each enum and boolean field, and with gold
// labels each arm's accuracy with a Wilson interval, its confusion against the labels and McNemar's test
// between arms. Pure: it reads what arm-answers.ts loaded.
import type { Answer } from './arm-answers.ts';
import { valueAt } from '../tasks/answer-schema.ts';
import { isScored, lengthOf, overlap, sameValue, type FieldKind, type FieldSpec } from './fields.ts';
import { mcnemarExact, rateOf, type Rate } from './stats.ts';

export interface ArmData {
  name: string;
  answers: ReadonlyMap<string, Answer>;
}

export interface Agreement extends Rate {
  field: string;
  kind: FieldKind;
  arms: [string, string];
  /** set fields: mean Jaccard overlap of the two lists. */
  mean_overlap: number | null;
  /** text fields: mean length per arm (characters; items for lists). */
  mean_length: Record<string, number> | null;
}

export interface Confusion {
  field: string;
  /** An arm's name, or `expected` (the gold labels). */
  rows: string;
  columns: string;
  /** The field's values; null is "no answer" (or, for labels, no label). */
  values: unknown[];
  /** counts[r][c]: documents whose row value is values[r] and column value values[c]. */
  counts: number[][];
  total: number;
}

export interface Accuracy extends Rate {
  arm: string;
  field: string;
  kind: FieldKind;
  /** Labelled documents the arm gave no schema-valid answer for (counted wrong). */
  unanswered: number;
  mean_overlap: number | null;
}

export interface Difference {
  field: string;
  arms: [string, string];
  labelled: number;
  /** accuracy of the first arm minus the second's. */
  accuracy_difference: number;
  only_first_correct: number;
  only_second_correct: number;
  /** McNemar's exact test, two-sided: how likely a split this uneven is if the arms were equally accurate. */
  p_value: number;
}

export interface ComparisonCore {
  agreement: Agreement[];
  confusion: Confusion[];
  accuracy: Accuracy[] | null;
  label_confusion: Confusion[] | null;
  differences: Difference[] | null;
  disagreements: { documents: number; by_field: Record<string, number> };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function outputOf(arm: ArmData, id: string): unknown {
  const a = arm.answers.get(id);
  return a?.status === 'succeeded' ? a.output : undefined;
}

function pairs<T>(list: readonly T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.push([list[i] as T, list[j] as T]);
  return out;
}

function agreementOf(field: FieldSpec, a: ArmData, b: ArmData, ids: readonly string[]): Agreement {
  let n = 0;
  let agree = 0;
  let overlapSum = 0;
  const lengths = { a: 0, b: 0 };
  for (const id of ids) {
    const x = outputOf(a, id);
    const y = outputOf(b, id);
    if (x === undefined || y === undefined) continue;
    n += 1;
    const vx = valueAt(x, field.path);
    const vy = valueAt(y, field.path);
    if (sameValue(field, vx, vy)) agree += 1;
    if (field.kind === 'set') overlapSum += overlap(vx, vy);
    lengths.a += lengthOf(vx);
    lengths.b += lengthOf(vy);
  }
  const text = field.kind === 'text' || field.kind === 'text_list';
  return {
    field: field.path,
    kind: field.kind,
    arms: [a.name, b.name],
    ...rateOf(agree, n),
    mean_overlap: field.kind === 'set' && n > 0 ? round4(overlapSum / n) : null,
    mean_length: text && n > 0 ? { [a.name]: round4(lengths.a / n), [b.name]: round4(lengths.b / n) } : null,
  };
}

function confusionOf(field: FieldSpec, rows: string, columns: string, ids: readonly string[], rowValue: (id: string) => unknown, columnValue: (id: string) => unknown): Confusion {
  const values = [...(field.values ?? []), null];
  const index = (v: unknown) => {
    const at = values.findIndex((x) => x === v);
    return at < 0 ? values.length - 1 : at;
  };
  const counts = values.map(() => values.map(() => 0));
  for (const id of ids) {
    const r = counts[index(rowValue(id) ?? null)];
    const c = index(columnValue(id) ?? null);
    if (r) r[c] = (r[c] ?? 0) + 1;
  }
  return { field: field.path, rows, columns, values, counts, total: ids.length };
}

function accuracyOf(field: FieldSpec, arm: ArmData, labelled: ReadonlyArray<[string, unknown]>): Accuracy {
  let correct = 0;
  let unanswered = 0;
  let overlapSum = 0;
  for (const [id, expected] of labelled) {
    const output = outputOf(arm, id);
    if (output === undefined) {
      unanswered += 1;
      continue;
    }
    const value = valueAt(output, field.path);
    if (sameValue(field, value, expected)) correct += 1;
    if (field.kind === 'set') overlapSum += overlap(value, expected);
  }
  return {
    arm: arm.name,
    field: field.path,
    kind: field.kind,
    ...rateOf(correct, labelled.length),
    unanswered,
    mean_overlap: field.kind === 'set' && labelled.length > 0 ? round4(overlapSum / labelled.length) : null,
  };
}

function differenceOf(field: FieldSpec, a: ArmData, b: ArmData, labelled: ReadonlyArray<[string, unknown]>): Difference {
  let onlyA = 0;
  let onlyB = 0;
  let rightA = 0;
  let rightB = 0;
  const right = (arm: ArmData, id: string, expected: unknown) => {
    const output = outputOf(arm, id);
    return output !== undefined && sameValue(field, valueAt(output, field.path), expected);
  };
  for (const [id, expected] of labelled) {
    const x = right(a, id, expected);
    const y = right(b, id, expected);
    if (x) rightA += 1;
    if (y) rightB += 1;
    if (x && !y) onlyA += 1;
    if (y && !x) onlyB += 1;
  }
  const n = labelled.length;
  return { field: field.path, arms: [a.name, b.name], labelled: n, accuracy_difference: n > 0 ? round4((rightA - rightB) / n) : 0, only_first_correct: onlyA, only_second_correct: onlyB, p_value: mcnemarExact(onlyA, onlyB) };
}

/** The scored fields on which some pair of arms that both answered the document disagree. */
export function disagreeingFields(fields: readonly FieldSpec[], arms: readonly ArmData[], id: string): string[] {
  const out: string[] = [];
  for (const field of fields.filter(isScored)) {
    const answered = arms.map((a) => outputOf(a, id)).filter((o) => o !== undefined);
    const first = answered[0];
    if (answered.some((o) => !sameValue(field, valueAt(o, field.path), valueAt(first, field.path)))) out.push(field.path);
  }
  return out;
}

/** The arms (by name) whose answer to a labelled document is wrong on some labelled field, or missing. */
export function wrongArms(fields: readonly FieldSpec[], arms: readonly ArmData[], expected: Record<string, unknown> | undefined, id: string): string[] {
  if (!expected) return [];
  return arms
    .filter((arm) => {
      const output = outputOf(arm, id);
      if (output === undefined) return true;
      return Object.entries(expected).some(([path, value]) => {
        const field = fields.find((f) => f.path === path);
        return field !== undefined && !sameValue(field, valueAt(output, path), value);
      });
    })
    .map((arm) => arm.name);
}

export function compareArms(fields: readonly FieldSpec[], arms: readonly ArmData[], ids: readonly string[], labels: Record<string, Record<string, unknown>> | null): ComparisonCore {
  const armPairs = pairs(arms);
  const agreement = fields.flatMap((field) => armPairs.map(([a, b]) => agreementOf(field, a, b, ids)));
  const categorical = fields.filter((f) => f.kind === 'enum' || f.kind === 'boolean');
  const confusion = categorical.flatMap((field) =>
    armPairs.map(([a, b]) => confusionOf(field, a.name, b.name, ids, (id) => valueAt(outputOf(a, id), field.path), (id) => valueAt(outputOf(b, id), field.path))),
  );

  const byField: Record<string, number> = {};
  let disagreeing = 0;
  for (const id of ids) {
    const fieldsOff = disagreeingFields(fields, arms, id);
    if (fieldsOff.length > 0) disagreeing += 1;
    for (const f of fieldsOff) byField[f] = (byField[f] ?? 0) + 1;
  }

  if (!labels) return { agreement, confusion, accuracy: null, label_confusion: null, differences: null, disagreements: { documents: disagreeing, by_field: byField } };
  const labelledFields = fields.filter((f) => isScored(f) && ids.some((id) => labels[id]?.[f.path] !== undefined));
  const labelledOf = (field: FieldSpec): Array<[string, unknown]> => ids.flatMap((id): Array<[string, unknown]> => (labels[id]?.[field.path] !== undefined ? [[id, labels[id]?.[field.path]]] : []));
  return {
    agreement,
    confusion,
    accuracy: labelledFields.flatMap((field) => arms.map((arm) => accuracyOf(field, arm, labelledOf(field)))),
    label_confusion: labelledFields
      .filter((f) => f.kind === 'enum' || f.kind === 'boolean')
      .flatMap((field) => {
        const labelled = labelledOf(field).map(([id]) => id);
        return arms.map((arm) => confusionOf(field, 'expected', arm.name, labelled, (id) => labels[id]?.[field.path], (id) => valueAt(outputOf(arm, id), field.path)));
      }),
    differences: labelledFields.flatMap((field) => armPairs.map(([a, b]) => differenceOf(field, a, b, labelledOf(field)))),
    disagreements: { documents: disagreeing, by_field: byField },
  };
}
