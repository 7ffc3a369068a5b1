import { VIEW_RANGES, type ViewRange } from '@ctscope/protocol';
import { AppHeader } from '../../../src/ui/app-header';
import { HostDetail } from '../../../src/ui/host-detail/host-detail';
import { firstParam } from '../../../src/ui/live/url-state';
import { SaveViewButton } from '../../../src/ui/views/save-view-button';
import '../../../src/ui/tuning/tuning.css';
import '../../../src/ui/rules/rules.css';
import '../../../src/ui/diagnoses/diagnoses.css';

type SearchParams = Record<string, string | string[] | undefined>;

const isRange = (value: string | null): value is ViewRange => value !== null && (VIEW_RANGES as readonly string[]).includes(value);

/** /hosts/ID?range=5m|1h|24h */
export default async function HostPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const range = firstParam((await searchParams).range);
  const hostId = decodeURIComponent(id);
  return (
    <>
      <AppHeader actions={<SaveViewButton page="host" hostId={hostId} />} />
      <main className="page">
        <HostDetail hostId={hostId} initialRange={isRange(range) ? range : '5m'} />
      </main>
    </>
  );
}
