import { findEntry, type Catalog } from '../catalog/discover';
import { formatValue } from '../catalog/entry';
import { knownParamForName } from '../catalog/known';
import type { ParamScope, ParamUnit } from '../catalog/types';
import { SysctlValidationError, fieldPath, type FieldIssue } from './errors';
import { SysctlChangeRequestSchema } from './schema';
import { checkValue } from './value';

/** One write the transaction will do, with the value it expects to find. */
export interface PlannedWrite {
  name: string;
  path: string;
  scope: ParamScope;
  unit: ParamUnit;
  before: number;
  after: number;
  beforeDisplay: string;
  afterDisplay: string;
  /** before === after: nothing is written for it. */
  unchanged: boolean;
}

/** A validated change, ready for the caller to audit and then execute. Writes happen in item order. */
export interface ChangePlan {
  items: PlannedWrite[];
  createdAt: Date;
}

const HIGH = 'net.netfilter.nf_conntrack_frag6_high_thresh';
const LOW = 'net.netfilter.nf_conntrack_frag6_low_thresh';

/** Raising thresholds: high first; lowering: low first (the kernel keeps low ≤ high at every step). */
function writeRank(w: PlannedWrite): number {
  if (w.name === HIGH) return w.after >= w.before ? 0 : 1;
  if (w.name === LOW) return w.after <= w.before ? 0 : 1;
  return 0;
}

/**
 * Validates a request (zod shape, then each name against the live catalog: known, present,
 * writable here, value type, range and choices; then cross-parameter rules) and returns the plan.
 * Throws SysctlValidationError listing every problem; nothing is written by planning.
 */
export function planChange(catalog: Catalog, input: unknown): ChangePlan {
  const parsed = SysctlChangeRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new SysctlValidationError(parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })));
  }
  const issues: FieldIssue[] = [];
  const items: PlannedWrite[] = [];
  parsed.data.changes.forEach((change, i) => {
    const field = `changes[${i}]`;
    const param = knownParamForName(change.name);
    const entry = findEntry(catalog, change.name);
    if (!entry) {
      issues.push({ field: `${field}.name`, message: `${change.name} does not exist on this host (is the nf_conntrack module loaded, and does this kernel have it?)` });
      return;
    }
    if (!param || !entry.known) {
      issues.push({ field: `${field}.name`, message: `${change.name} is not in ctscope's catalog: ctscope changes only parameters it knows` });
      return;
    }
    if (!entry.writable) {
      issues.push({ field: `${field}.name`, message: `${change.name} is read-only here: ${entry.readOnlyReason ?? 'not writable'}` });
      return;
    }
    if (entry.value === null) {
      issues.push({ field: `${field}.name`, message: `${change.name} could not be read (${JSON.stringify(entry.raw)}); fix that before changing it` });
      return;
    }
    const checked = checkValue(param, change.value);
    if (!checked.ok) {
      issues.push({ field: `${field}.value`, message: `${change.name}: ${checked.message}` });
      return;
    }
    items.push({
      name: change.name,
      path: entry.path,
      scope: param.scope,
      unit: param.unit,
      before: entry.value,
      after: checked.value,
      beforeDisplay: formatValue(param, entry.value),
      afterDisplay: formatValue(param, checked.value),
      unchanged: entry.value === checked.value,
    });
  });
  const valueAfter = (name: string) => items.find((w) => w.name === name)?.after ?? findEntry(catalog, name)?.value ?? null;
  const high = valueAfter(HIGH);
  const low = valueAfter(LOW);
  if (high !== null && low !== null && low > high && items.some((w) => w.name === HIGH || w.name === LOW)) {
    issues.push({ field: 'changes', message: `nf_conntrack_frag6_low_thresh (${low}) must not exceed nf_conntrack_frag6_high_thresh (${high}): change both together` });
  }
  if (issues.length > 0) throw new SysctlValidationError(issues);
  const ordered = items.map((w, i) => ({ w, i })).sort((a, b) => writeRank(a.w) - writeRank(b.w) || a.i - b.i);
  return { items: ordered.map((o) => o.w), createdAt: new Date() };
}
