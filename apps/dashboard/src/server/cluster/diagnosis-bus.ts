import { AGENT_NAMESPACE, diagnosisReportSchema, hostIdSchema } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { DiagnosisBoard } from '../diagnoses/diagnosis-board';
import type { HostRegistry } from '../hosts/registry';

const diagnosedSchema = z.object({ hostId: hostIdSchema, connectionId: z.string().min(1).max(64), report: diagnosisReportSchema });
const diagnosedListSchema = z.array(diagnosedSchema).max(100_000);

interface Bus {
  serverSideEmit(event: string, payload: unknown): boolean;
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
}

/**
 * Hands the diagnosis reports of the agents this server holds to the other dashboard servers (signed
 * server-side events on the agents namespace, as the host bus's), so each can push them to its browsers.
 * A report is taken only for the connection the registry knows holds the host (a late message of a
 * replaced connection is dropped); a server that joins late gets the others' current reports.
 */
export function attachDiagnosisBus(io: Server, deps: { board: DiagnosisBoard; registry: HostRegistry; logger: Logger }): () => void {
  const { board, registry, logger } = deps;
  const bus = io.of(AGENT_NAMESPACE) as unknown as Bus;
  board.usePeers({ reported: (hostId, connectionId, report) => void bus.serverSideEmit('cluster:diagnosed', [{ hostId, connectionId, report }]) });
  const take = (list: z.infer<typeof diagnosedListSchema>) => {
    for (const { hostId, connectionId, report } of list) if (registry.remoteConnection(hostId) === connectionId) board.remoteReported(hostId, connectionId, report);
  };
  const onDiagnosed = (payload: unknown) => {
    const parsed = diagnosedListSchema.safeParse(payload);
    if (!parsed.success) return void logger.warn({ issue: parsed.error.issues[0]?.message }, 'dropped a malformed diagnosis report from another dashboard server');
    take(parsed.data);
  };
  // The host bus answers a newcomer's hello with the agents each server holds; their reports follow it.
  const onHello = () => {
    const local = board.localReports();
    if (local.length > 0) bus.serverSideEmit('cluster:diagnosed', local);
  };
  bus.on('cluster:diagnosed', onDiagnosed);
  bus.on('cluster:hello', onHello);
  return () => {
    bus.off('cluster:diagnosed', onDiagnosed);
    bus.off('cluster:hello', onHello);
  };
}
