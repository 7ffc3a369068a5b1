/** The SQL dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

/**
 * The typed query layer under the store: statements are written once with `?` placeholders and every
 * value is bound, never spliced; each dialect's adapter maps that to its driver.
 */
export interface Db {
  readonly dialect: Dialect;
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A count column as a number (PostgreSQL's count(*) is a bigint). */
export const countOf = (row: { n: number | string } | undefined): number => Number(row?.n ?? 0);
