import type { ChildProcess, StdioOptions } from 'node:child_process';

/** Starts the dashboard server (as the system user `ctscope` when called by root, owning `dataDir`). */
export declare function startDashboard(options: { port: number; dataDir: string; env?: Record<string, string>; stdio?: StdioOptions; nodeArgs?: string[] }): ChildProcess;
export declare function localDashboardUrl(port: number): string;
export declare function waitForHealth(url: string, child: ChildProcess, timeoutMs?: number): Promise<void>;
export declare function superviseChildren(children: ChildProcess[], cleanup?: () => Promise<void>): (code: number) => Promise<void>;
export declare const TSX: string;
export declare const CTSCOPE_BIN: string;
