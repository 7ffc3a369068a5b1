/** What unsavedRuntimeValues needs of a parameter: the page's wire form and ParamState both fit. */
export interface DriftedParam {
  name: string;
  writable: boolean;
  value: number | null;
  drift: { runtimeVsPersisted: string; runtimeVsDefault: string };
}

/**
 * Runtime values a reboot would lose: writable parameters whose value differs from what is persisted,
 * or, when nothing persists them, from the kernel default. What "save to file" proposes by default.
 */
export function unsavedRuntimeValues(params: readonly DriftedParam[]): { name: string; value: number }[] {
  return params.flatMap((p) =>
    p.writable && p.value !== null && (p.drift.runtimeVsPersisted === 'differs' || (p.drift.runtimeVsPersisted === 'not-persisted' && p.drift.runtimeVsDefault === 'changed'))
      ? [{ name: p.name, value: p.value }]
      : [],
  );
}
