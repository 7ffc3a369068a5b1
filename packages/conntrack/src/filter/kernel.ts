import type { Family } from '../flow';
import type { KernelDumpFilter } from '../source';
import type { FlowFilter } from './types';
import { parseCidr } from './address';
import { statusMask } from './vocab';

/** An address filter only ever matches its own family, so the kernel can skip the other one. */
function impliedFamily(filter: FlowFilter): Family | undefined {
  for (const text of [filter.src, filter.dst, filter.replySrc, filter.replyDst]) {
    if (text === undefined) continue;
    const parsed = parseCidr(text);
    if (parsed.ok) return parsed.cidr.family === 4 ? 'ipv4' : 'ipv6';
  }
  return undefined;
}

/**
 * The part of a filter the kernel can apply during a dump (family, mark/mask, status bits, zone).
 * The full filter must still be matched in userspace; this only shrinks what crosses netlink.
 */
export function kernelPart(filter: FlowFilter): KernelDumpFilter {
  const out: KernelDumpFilter = {};
  const family = filter.family ?? impliedFamily(filter);
  if (family !== undefined) out.family = family;
  if (filter.mark !== undefined) out.mark = { value: filter.mark.value, mask: filter.mark.mask };
  const required = statusMask(filter.statusRequired);
  const forbidden = statusMask(filter.statusForbidden);
  if ((required | forbidden) !== 0) out.status = { value: required, mask: (required | forbidden) >>> 0 };
  if (filter.zone !== undefined) out.zone = filter.zone;
  return out;
}
