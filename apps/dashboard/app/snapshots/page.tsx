import { AppHeader } from '../../src/ui/app-header';
import { SnapshotsManager } from '../../src/ui/snapshots/snapshots-manager';

export default function SnapshotsPage() {
  return (
    <>
      <AppHeader current="snapshots" />
      <main className="page">
        <SnapshotsManager />
      </main>
    </>
  );
}
