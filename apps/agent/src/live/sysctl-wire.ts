import type { ParamState } from '@ctscope/sysctl';
import type { SysctlParam } from '@ctscope/protocol';

/** One parameter as the tuning page and `ctscope sysctl get --json` show it. */
export function toWireParam(p: ParamState): SysctlParam {
  return {
    name: p.name,
    key: p.key,
    known: p.known,
    group: p.group,
    type: p.type,
    unit: p.unit,
    description: p.description,
    scope: p.scope,
    raw: p.raw,
    value: p.value,
    display: p.display,
    default: p.default,
    defaultDisplay: p.defaultDisplay,
    ...(p.defaultRule !== undefined ? { defaultRule: p.defaultRule } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    ...(p.rangeNote !== undefined ? { rangeNote: p.rangeNote } : {}),
    ...(p.choices !== undefined ? { choices: p.choices.map((c) => ({ ...c })) } : {}),
    writable: p.writable,
    ...(p.readOnlyReason !== undefined ? { readOnlyReason: p.readOnlyReason } : {}),
    persisted: p.persisted,
    ctscope: p.ctscope,
    overriddenBy: p.overriddenBy,
    drift: { ...p.drift },
  };
}
