// The part of @ctscope/sysctl that is safe in a browser bundle: catalog data, formatting, value
// checks for inline validation, request schemas, recommendations, profiles and what-if previews.
// No node:* import is reachable from here (checked by browser.test.ts).
export * from './humanize';
export type * from './catalog/types';
export type { ParamEntry } from './catalog/entry';
export type { Catalog } from './catalog/discover';
export { formatValue, parseInteger } from './catalog/entry';
export { kernelDefaultBuckets } from './catalog/limits';
export { TIMEOUT_MAX, TIMEOUT_MIN } from './catalog/timeouts';
export { KNOWN_PARAMS, HASHSIZE_PARAM, HASHSIZE_NAME, SYSCTL_PREFIX, SYSCTL_NAME_PATTERN, defaultValue, keyOfName, knownParamForName } from './catalog/known';
export * from './change/errors';
export * from './change/schema';
export { checkValue, type ValueCheck } from './change/value';
export type { ChangePlan, PlannedWrite } from './change/plan';
export type { AppliedChange, ChangeFailureCode, ChangeOutcome, RollbackStep } from './change/execute';
export type { ParamState, PersistedValue, Drift, SysctlState } from './state/drift';
export * from './state/unsaved';
export type { FilePlan, PersistPlan } from './persist/plan';
export * from './persist/diff';
export * from './recommend/memory';
export * from './recommend/max';
export * from './recommend/advice';
export * from './recommend/profiles';
export * from './whatif/timeout';
export * from './whatif/limits';
