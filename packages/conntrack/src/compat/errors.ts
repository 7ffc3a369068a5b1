import type { Family } from '../flow';

/** A refused command line or a failed operation, with the exit code conntrack gives it (2 parameter problem, 1 other). */
export class CompatError extends Error {
  override readonly name = 'CompatError';
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

export interface Address {
  family: Family;
  words: number[];
}
