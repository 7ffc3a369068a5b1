export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
export declare const DASHBOARD_USER: string;
export declare function lookupUser(name: string): SystemUser | null;
export declare function ensureDashboardUser(name?: string): SystemUser;
export declare function unreachableBy(path: string, user: SystemUser): { path: string; mode: string } | null;
export declare function giveDirectory(dir: string, user: SystemUser): void;
export declare function dashboardIdentity(options: { appDirs: string[]; dataDir: string }): { uid?: number; gid?: number; env?: Record<string, string> };
