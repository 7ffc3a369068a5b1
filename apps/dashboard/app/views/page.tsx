import { AppHeader } from '../../src/ui/app-header';
import { firstParam } from '../../src/ui/live/url-state';
import { ViewsList } from '../../src/ui/views/views-list';

type SearchParams = Record<string, string | string[] | undefined>;

/** /views: saved views; /views/ID (served by the dashboard server) opens one. */
export default async function ViewsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  return (
    <>
      <AppHeader current="views" />
      <main className="page">
        <ViewsList missing={firstParam(params.missing) === '1'} />
      </main>
    </>
  );
}
