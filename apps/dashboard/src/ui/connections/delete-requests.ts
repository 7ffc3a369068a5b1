import { deleteResultSchema, type Ack, type DeleteResult } from '@ctscope/protocol';
import { ask, type BrowserSocket } from '../live/browser-socket';

/** Precise delete of entries by the keys the agent gave them. */
export const deleteKeys = (socket: BrowserSocket, hostId: string, keys: string[]): Promise<Ack<DeleteResult>> =>
  ask(deleteResultSchema, (reply) => socket.emit('flows:delete', { hostId, keys }, reply));

/** Step one of delete-matching: counts the entries and returns a plan naming exactly those. */
export const planDeleteMatching = (socket: BrowserSocket, hostId: string, query: string): Promise<Ack<DeleteResult>> =>
  ask(deleteResultSchema, (reply) => socket.emit('flows:deleteMatching', { hostId, query, dryRun: true }, reply));

/** Step two: deletes the planned entries that are still alive. */
export const runDeleteMatching = (socket: BrowserSocket, hostId: string, planId: string): Promise<Ack<DeleteResult>> =>
  ask(deleteResultSchema, (reply) => socket.emit('flows:deleteMatching', { hostId, planId, dryRun: false }, reply));
