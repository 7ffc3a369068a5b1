import { EVENT_TYPES, type WireEventType } from '@ctscope/protocol';
import { AppHeader } from '../../src/ui/app-header';
import { EventsView } from '../../src/ui/events/events-view';
import { firstParam } from '../../src/ui/live/url-state';
import { SaveViewButton } from '../../src/ui/views/save-view-button';

type SearchParams = Record<string, string | string[] | undefined>;

function parseTypes(text: string | null): WireEventType[] {
  const wanted = (text ?? '').toUpperCase().split(',');
  const types = EVENT_TYPES.filter((t) => wanted.includes(t));
  return types.length > 0 ? types : [...EVENT_TYPES];
}

/** /events?host=ID&q=QUERY&types=NEW,DESTROY */
export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  return (
    <>
      <AppHeader current="events" actions={<SaveViewButton page="events" />} />
      <main className="page page-wide">
        <EventsView initialHost={firstParam(params.host)} initialQuery={firstParam(params.q) ?? ''} initialTypes={parseTypes(firstParam(params.types))} />
      </main>
    </>
  );
}
