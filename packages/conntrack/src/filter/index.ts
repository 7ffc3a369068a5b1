export * from './types';
export { compileFilter, matchFlow, hasSrcNat, hasDstNat, type FlowPredicate } from './compile';
export { flowSearchText, TABLE_WIDTH, termAutomaton, TermMatcher, type SearchTextSink, type TermAutomaton } from './search-text';
export { kernelPart } from './kernel';
export { parseConntrackArgs, printConntrackArgs } from './cli-args';
export { parseQuery, printQuery } from './query';
export { parseCidr, compileCidr, formatCidr, parseAddress, formatAddress, type ParsedAddress, type ParsedCidr } from './address';
export { TCP_STATE_NAMES, SCTP_STATE_NAMES, DCCP_STATE_NAMES, protoNumberToName, statusMask } from './vocab';
