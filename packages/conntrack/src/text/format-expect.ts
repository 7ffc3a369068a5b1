import type { Expectation } from '../expectation';
import { tuple } from './format';

/**
 * A line as `conntrack -L expect` prints it (libnetfilter_conntrack's expectation output, the same
 * with `-o extended`): timeout, protocol number, then the expected tuple, its mask and the master's
 * tuple, each with the ports (or ICMP fields) of its own protocol.
 */
export function formatExpectation(exp: Expectation): string {
  let out = `${exp.timeout} proto=${exp.protoNum} `;
  out += tuple(exp.tuple, exp.tuple.protoNum);
  out += tuple(exp.mask, exp.mask.protoNum, 'mask-');
  out += tuple(exp.master, exp.master.protoNum, 'master-');
  if (exp.zone !== undefined) out += `zone=${exp.zone} `;
  if (exp.flags.length > 0) out += `${exp.flags.join(',')} `;
  if (exp.class !== undefined) out += `class=${exp.class} `;
  if (exp.helper !== undefined) out += `helper=${exp.helper} `;
  return out.slice(0, -1);
}
