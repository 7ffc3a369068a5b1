import { AGENT_NAMESPACE, PROTOCOL_VERSION, type AgentHandshake, type StatsSample } from '@ctscope/protocol';
import { io } from 'socket.io-client';

export const PROBE_HOST = 'fleet-probe';

/**
 * A stand-in agent in the benchmark's own process that stamps each sample as it sends it: its samples
 * measure the dashboard's relay alone (receive, validate, fan out to every browser), without the time a
 * busy simulated agent takes between taking a sample and sending it. Marked as simulated like the fleet.
 */
export function startRelayProbe(url: string, token: string): { close(): void } {
  const auth: AgentHandshake = { protocolVersion: PROTOCOL_VERSION, token, info: { hostname: PROBE_HOST, agentVersion: 'bench', kernel: 'none', source: 'replay' } };
  const socket = io(new URL(AGENT_NAMESPACE, url).href, { auth, transports: ['websocket'], timeout: 60_000 });
  const timer = setInterval(() => {
    const sample: StatsSample = { at: Date.now(), count: 0, max: 1, cpu: [], hooksActive: true };
    if (socket.connected) socket.emit('stats:sampled', sample);
  }, 1_000);
  return {
    close: () => {
      clearInterval(timer);
      socket.close();
    },
  };
}
