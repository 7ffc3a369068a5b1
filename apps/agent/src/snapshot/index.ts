/** What the dashboard uses of the agent to open a snapshot file (`@ctscope/agent/snapshot`). */
export { SnapshotTable, flowOfSnapshot, type SnapshotQuery } from './snapshot-table';
