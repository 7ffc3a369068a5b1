/** V8 flags the agent runs with (see node-flags.mjs). */
export declare const AGENT_NODE_FLAGS: readonly string[];
