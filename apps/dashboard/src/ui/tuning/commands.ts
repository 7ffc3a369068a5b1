import { HASHSIZE_NAME } from '@ctscope/sysctl/browser';

/** The terminal equivalent of a change: `sysctl -w` per parameter (hashsize is a module parameter in sysfs). */
export function sysctlCommands(values: readonly { name: string; value: number }[]): string[] {
  return values.map(({ name, value }) =>
    name === HASHSIZE_NAME ? `echo ${value} > /sys/module/nf_conntrack/parameters/hashsize` : `sysctl -w ${name}=${value}`,
  );
}

/** The same values as lines of a sysctl.d file (hashsize has no sysctl name: it is left out, with a note). */
export function sysctlFileContent(values: readonly { name: string; value: number }[]): string {
  const lines = ['# written by ctscope'];
  for (const { name, value } of values) {
    if (name === HASHSIZE_NAME) lines.push(`# hashsize: set "options nf_conntrack hashsize=${value}" in /etc/modprobe.d/ instead`);
    else lines.push(`${name} = ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
