import type { EventType } from '../flow';
import type { SubscribeHandlers, SubscribeOptions, Subscription } from '../source';
import { openRawSocket } from './channel';
import { NFNLGRP_CONNTRACK_DESTROY, NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_UPDATE } from './constants';
import { decodeFlow } from './decode-flow';
import { eventTypeOf, forEachMessage } from './decode-message';
import { DecodeError } from './errors';

const GROUPS: Readonly<Record<EventType, number>> = {
  NEW: NFNLGRP_CONNTRACK_NEW,
  UPDATE: NFNLGRP_CONNTRACK_UPDATE,
  DESTROY: NFNLGRP_CONNTRACK_DESTROY,
};

/** Default receive buffer for event sockets (conntrack -E uses the system default; conntrackd starts at 2 MiB). */
export const DEFAULT_EVENT_BUFFER = 4 * 1024 * 1024;

/**
 * Follows conntrack events on their own socket. When the kernel cannot deliver (the buffer overflowed),
 * recvmsg fails with ENOBUFS: that becomes onOverrun with a running count, and the socket keeps going.
 */
export function subscribeEvents(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription & { effectiveBufferBytes: number } {
  const socket = openRawSocket(options.bufferBytes ?? DEFAULT_EVENT_BUFFER);
  let overruns = 0;
  let closed = false;
  socket.on('message', (buf) => {
    try {
      forEachMessage(buf, (m) => {
        if (m.kind !== 'body') return true;
        const type = eventTypeOf(m.header);
        if (type) handlers.onEvent({ type, flow: decodeFlow(buf, m.start, m.end) });
        return true;
      });
    } catch (err) {
      handlers.onError?.(err instanceof DecodeError ? err : new DecodeError(String(err), 0));
    }
  });
  socket.on('truncatedMessage', () => handlers.onError?.(new DecodeError('event datagram larger than the receive buffer', 0)));
  socket.on('error', (err) => {
    if (err.code === 'ENOBUFS') {
      overruns++;
      handlers.onOverrun({ overruns });
    } else handlers.onError?.(err);
  });
  for (const type of new Set(options.events)) socket.addMembership(GROUPS[type]);
  return {
    // The kernel doubles SO_RCVBUF for bookkeeping and caps requests at net.core.rmem_max.
    effectiveBufferBytes: socket.getRecvBufferSize(),
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
