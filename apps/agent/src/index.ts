export { runAgent, AGENT_VERSION } from './agent';
export { parseAgentConfig, type AgentConfig } from './config';
