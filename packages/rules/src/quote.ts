/** Quotes one argv element for display in a copy-paste shell command (display only, never executed). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
