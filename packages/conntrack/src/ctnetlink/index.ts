export { NetlinkSource, openNetlinkSource, type NewFlow } from './netlink-source';
export { DecodeError, NetlinkError, NetlinkUnavailableError } from './errors';
export { decodeFlow } from './decode-flow';
export { decodeExpectation } from './decode-expect';
export { decodeDumpDatagram, decodeCpuStats, decodeGlobalStats, forEachMessage, eventTypeOf } from './decode-message';
export { DEFAULT_EVENT_BUFFER } from './subscription';
export { growPipe } from './native';
export { countNetnsEntries, MAX_NETNS_PATHS, type NetnsCount, type NetnsCountPass } from './netns-count';
export { writeMessageLine } from './write-line';
