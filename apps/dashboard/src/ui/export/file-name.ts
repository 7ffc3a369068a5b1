/** A download's name: `ctscope-<what>-<host>-<UTC time>.<ext>`, safe on every file system. */
export function exportFileName(what: string, hostId: string | null, extension: string, now: Date = new Date()): string {
  const host = (hostId ?? 'host').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  return `ctscope-${what}-${host}-${stamp}.${extension}`;
}
