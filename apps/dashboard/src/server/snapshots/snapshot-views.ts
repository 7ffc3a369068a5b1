import type { SnapshotSections, StoredSnapshot } from '@ctscope/protocol';
import { SnapshotTable } from '@ctscope/agent/snapshot';
import type { SnapshotFiles } from './snapshot-files';

export interface OpenedSnapshot {
  snapshot: StoredSnapshot;
  sections: SnapshotSections;
  table: SnapshotTable;
}

const ESTABLISHED = 'net.netfilter.nf_conntrack_tcp_timeout_established';

/**
 * Opened snapshots: the file read into the agent's table, so the explorer's windows and the host page's
 * breakdowns run the live host's query code. Only the most recently opened one stays in memory (a
 * million entries take a few hundred MB); opening is serialised so two requests load once.
 */
export class SnapshotViews {
  private current: { id: string; opened: Promise<OpenedSnapshot> } | null = null;

  constructor(private readonly files: SnapshotFiles) {}

  async open(id: string): Promise<OpenedSnapshot | undefined> {
    if (this.current?.id === id) return this.current.opened;
    const snapshot = await this.files.find(id);
    if (!snapshot) return undefined;
    const opened = this.load(snapshot);
    this.current = { id, opened };
    opened.catch(() => {
      if (this.current?.opened === opened) this.current = null;
    });
    return opened;
  }

  /** Forgets a deleted snapshot. */
  drop(id: string): void {
    if (this.current?.id === id) this.current = null;
  }

  private async load(snapshot: StoredSnapshot): Promise<OpenedSnapshot> {
    const table = new SnapshotTable(snapshot.createdAt);
    const contents = await this.files.read(snapshot.id, (flow) => table.add(flow));
    const established = contents.sections.sysctls.find((p) => p.name === ESTABLISHED)?.value;
    if (typeof established === 'number') table.establishedTimeout = established;
    return { snapshot, sections: contents.sections, table };
  }
}
