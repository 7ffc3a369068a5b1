import packageJson from '../package.json' with { type: 'json' };

/** The agent's version: what `ctscope --version` prints, what the dashboard lists, and the packages' version. */
export const AGENT_VERSION: string = packageJson.version;
