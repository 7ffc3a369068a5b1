import type { KernelDumpFilter } from '../source';
import type { FlowFilter } from './types';
import { statusMask } from './vocab';

/**
 * The part of a filter the kernel can apply during a dump (family, mark/mask, status bits, zone).
 * The full filter must still be matched in userspace; this only shrinks what crosses netlink.
 */
export function kernelPart(filter: FlowFilter): KernelDumpFilter {
  const out: KernelDumpFilter = {};
  if (filter.family !== undefined) out.family = filter.family;
  if (filter.mark !== undefined) out.mark = { value: filter.mark.value, mask: filter.mark.mask };
  const required = statusMask(filter.statusRequired);
  const forbidden = statusMask(filter.statusForbidden);
  if ((required | forbidden) !== 0) out.status = { value: required, mask: (required | forbidden) >>> 0 };
  if (filter.zone !== undefined) out.zone = filter.zone;
  return out;
}
