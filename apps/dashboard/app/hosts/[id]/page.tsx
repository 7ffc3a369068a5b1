import { AppHeader } from '../../../src/ui/app-header';
import { HostDetail } from '../../../src/ui/host-detail/host-detail';

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <AppHeader />
      <main className="page">
        <HostDetail hostId={decodeURIComponent(id)} />
      </main>
    </>
  );
}
