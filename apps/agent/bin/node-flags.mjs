// V8 flags the agent runs with (the systemd unit, `npm start`'s instructions, the tests and the
// benchmarks pass them to node). The agent's heap is one long-lived table plus short-lived decode
// garbage: a small young generation keeps that garbage from inflating resident memory, and the old
// generation is left unbounded so a table far larger than the benchmark's never crashes the agent.
export const AGENT_NODE_FLAGS = Object.freeze(['--max-semi-space-size=2']);
