import {
  ErrorCode,
  SAMPLE_BATCH_MS,
  MAX_COUNTS_PER_BATCH,
  browserToServerSchemas,
  describeZodError,
  fail,
  ok,
  type Ack,
  type BrowserToServerEvents,
  type DiagnosisCount,
  type ServerToBrowserEvents,
} from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import type { DiagnosisBoard } from '../diagnoses/diagnosis-board';
import { rateLimited } from './browser-requests';
import { LatestBatcher } from './latest-batcher';
import type { SocketBudgets } from './request-limits';

type BrowserSocket = Socket<BrowserToServerEvents, ServerToBrowserEvents>;
type BrowserNamespace = Namespace<BrowserToServerEvents, ServerToBrowserEvents>;

/** The room of the browsers following one host's diagnoses (on this server: each server's board knows every host). */
export const diagnosesRoom = (hostId: string): string => `diagnoses:${hostId}`;

/**
 * Pushes diagnoses to this server's browsers: a host's full report to the sockets watching it (the host
 * page), and every host's count, batched like samples, to all (the overview's badges).
 */
export function relayDiagnoses(nsp: BrowserNamespace, board: DiagnosisBoard): () => void {
  const counts = new LatestBatcher<DiagnosisCount>((batch) => nsp.local.emit('diagnoses:counted', { counts: batch }), SAMPLE_BATCH_MS, MAX_COUNTS_PER_BATCH);
  const unsubscribe = board.subscribe({
    reported: (hostId, report) => void nsp.local.to(diagnosesRoom(hostId)).emit('diagnoses:reported', { hostId, report }),
    counted: (count) => counts.add(count.hostId, count),
  });
  return () => {
    unsubscribe();
    counts.stop();
  };
}

/** A browser's diagnosis requests: follow one host (the latest report comes with the answer), and every host's count. */
export function attachDiagnosisRequests(socket: BrowserSocket, budgets: SocketBudgets, board: DiagnosisBoard, logger: Logger): void {
  let watched: string | null = null;
  const handle = <N extends 'diagnoses:watch' | 'diagnoses:counts'>(name: N, answer: (payload: ReturnType<(typeof browserToServerSchemas)[N]['parse']>) => Ack<unknown>) => {
    socket.on(name as never, ((payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (a: Ack<unknown>) => void;
      const admission = budgets.admit(name);
      if ('retryAfterMs' in admission) return reply(rateLimited(admission.retryAfterMs));
      try {
        const parsed = browserToServerSchemas[name].safeParse(payload ?? {});
        reply(parsed.success ? answer(parsed.data as ReturnType<(typeof browserToServerSchemas)[N]['parse']>) : fail(ErrorCode.BadRequest, describeZodError(parsed.error)));
      } catch (err) {
        logger.error({ err, request: name }, 'browser request failed');
        reply(fail(ErrorCode.Internal, `${name} failed; see the dashboard log`));
      } finally {
        admission.release();
      }
    }) as never);
  };
  handle('diagnoses:watch', ({ hostId }) => {
    // One host per socket (a page shows one): the previous one is left.
    if (watched !== null && watched !== hostId) void socket.leave(diagnosesRoom(watched));
    watched = hostId;
    void socket.join(diagnosesRoom(hostId));
    return ok({ hostId, report: board.latest(hostId) });
  });
  handle('diagnoses:counts', () => ok(board.counts()));
}
