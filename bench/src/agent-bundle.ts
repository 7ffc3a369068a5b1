import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const NODE_FLAGS_MODULE = fileURLToPath(new URL('../../apps/agent/bin/node-flags.mjs', import.meta.url));

/**
 * Bundles a benchmark program like the agent itself (apps/agent/build.mjs), into the agent's dist
 * directory so its externals and the native addon resolve the same way; returns the bundle's path.
 */
export async function bundleLikeAgent(source: string, name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`../../apps/agent/dist/${name}.mjs`, import.meta.url));
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['netlink', 'pino', 'socket.io-client', 'zod'],
    banner: { js: "import { createRequire as __ctscopeCreateRequire } from 'node:module'; const require = __ctscopeCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

/** The V8 flags the agent's process is started with (the systemd unit, `npm start`). */
export async function agentNodeFlags(): Promise<readonly string[]> {
  const { AGENT_NODE_FLAGS } = (await import(NODE_FLAGS_MODULE)) as { AGENT_NODE_FLAGS: readonly string[] };
  return AGENT_NODE_FLAGS;
}
