import type { EventType } from '../flow';
import type { SubscribeHandlers, SubscribeOptions, Subscription } from '../source';
import { NFNLGRP_CONNTRACK_DESTROY, NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_UPDATE } from './constants';
import { decodeFlow } from './decode-flow';
import { eventTypeOf, forEachMessage } from './decode-message';
import { DecodeError, NetlinkError } from './errors';
import { loadNfEvents } from './native';

const GROUPS: Readonly<Record<EventType, number>> = {
  NEW: NFNLGRP_CONNTRACK_NEW,
  UPDATE: NFNLGRP_CONNTRACK_UPDATE,
  DESTROY: NFNLGRP_CONNTRACK_DESTROY,
};
const ENOBUFS = 105;

/** Default receive buffer for event sockets (conntrackd starts at 2 MiB; Weave Scope uses 4 MiB). */
export const DEFAULT_EVENT_BUFFER = 4 * 1024 * 1024;

/**
 * Follows conntrack events on their own socket (native addon). The buffer is forced past
 * net.core.rmem_max when we have CAP_NET_ADMIN, like `conntrack -b`. When the kernel drops events
 * (ENOBUFS, or its drop count grew without one) that becomes onOverrun with running counts of the
 * signals and of the events lost, and the socket keeps going.
 */
export function subscribeEvents(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription & { effectiveBufferBytes: number } {
  const native = loadNfEvents();
  let mask = 0;
  for (const type of new Set(options.events)) mask |= 1 << (GROUPS[type] - 1);
  let overruns = 0;
  let closed = false;
  const socket = native.open(mask, options.bufferBytes ?? DEFAULT_EVENT_BUFFER, (datagram, errno, drops) => {
    if (closed) return;
    if (datagram === null) {
      if (errno === ENOBUFS) {
        overruns++;
        handlers.onOverrun({ overruns, lostEvents: drops });
      } else handlers.onError?.(new NetlinkError(errno, 'event receive'));
      return;
    }
    try {
      forEachMessage(datagram, (m) => {
        if (m.kind !== 'body') return true;
        const type = eventTypeOf(m.header);
        if (type) handlers.onEvent({ type, flow: decodeFlow(datagram, m.start, m.end) });
        return true;
      });
    } catch (err) {
      handlers.onError?.(err instanceof DecodeError ? err : new DecodeError(String(err), 0));
    }
  });
  return {
    // The kernel reports twice the usable size (it counts its bookkeeping too).
    effectiveBufferBytes: native.receiveBufferBytes(socket),
    close() {
      if (closed) return;
      closed = true;
      native.close(socket);
    },
  };
}
