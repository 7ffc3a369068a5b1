import { AppHeader } from '../src/ui/app-header';
import { HostsOverview } from '../src/ui/hosts-overview';
import '../src/ui/diagnoses/diagnoses.css';

export default function OverviewPage() {
  return (
    <>
      <AppHeader />
      <main className="page">
        <HostsOverview />
      </main>
    </>
  );
}
