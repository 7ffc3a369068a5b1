/** A line of `conntrack` output that does not have the expected shape. */
export class TextParseError extends Error {
  override readonly name = 'TextParseError';
  constructor(
    readonly line: string,
    /** Character offset in the line where parsing failed. */
    readonly position: number,
    readonly expected: string,
  ) {
    super(`${expected} at column ${position}: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
  }
}
