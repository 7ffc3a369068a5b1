import { AppHeader } from '../../src/ui/app-header';
import { HostsManager } from '../../src/ui/hosts-admin/hosts-manager';

export default function HostsPage() {
  return (
    <>
      <AppHeader current="hosts" />
      <main className="page">
        <HostsManager />
      </main>
    </>
  );
}
