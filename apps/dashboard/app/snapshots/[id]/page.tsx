import { AppHeader } from '../../../src/ui/app-header';
import { SnapshotHost } from '../../../src/ui/snapshots/snapshot-host';

/** /snapshots/ID: an opened snapshot, shown as a read-only host. */
export default async function SnapshotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <AppHeader current="snapshots" />
      <main className="page page-wide">
        <SnapshotHost id={id} />
      </main>
    </>
  );
}
