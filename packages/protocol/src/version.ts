/** Bumped on any incompatible change of an event name or payload. Peers must match exactly. */
export const PROTOCOL_VERSION = 2;

export function versionMismatchMessage(peer: 'agent' | 'browser', theirs: unknown): string {
  return `protocol version mismatch: this dashboard speaks version ${PROTOCOL_VERSION}, the ${peer} speaks version ${String(theirs)}; upgrade the older side`;
}
