import { existsSync } from 'node:fs';

/**
 * Why kernel tests cannot run here, or null when they can. Under CI=true a reason is fatal
 * (the caller must fail, never skip).
 */
export function kernelUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'kernel tests need root (network namespaces, nftables, conntrack)';
  for (const bin of ['/usr/sbin/ip', '/usr/sbin/nft', '/usr/sbin/conntrack']) {
    if (!existsSync(bin) && !existsSync(bin.replace('/usr/sbin', '/sbin'))) return `${bin} is missing: run npm test (it installs the Debian packages)`;
  }
  return null;
}

/** For `describe.skipIf(...)`: skip outside CI, throw under CI so a missing kernel is never a green run. */
export function skipKernelTests(): boolean {
  const reason = kernelUnavailableReason();
  if (reason === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true requires kernel tests: ${reason}`);
  console.warn(`skipping kernel tests: ${reason}`);
  return true;
}
