import type { ErrorCode } from '@ctscope/protocol';

/** A handshake refusal the peer can read: Socket.IO hands `data` to the client's connect_error. */
export function refusal(code: ErrorCode, message: string): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}
