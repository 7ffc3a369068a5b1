import { SORT_COLUMNS, type SortColumn, type WindowSpec } from '@ctscope/protocol';
import { headers } from 'next/headers';
import { firstWindowLoader } from '../../src/server/pages/first-window-bridge';
import { AppHeader } from '../../src/ui/app-header';
import { ConnectionsExplorer } from '../../src/ui/connections/connections-explorer';
import { firstParam } from '../../src/ui/live/url-state';
import { WINDOW_ROWS } from '../../src/ui/connections/window-rows';
import { SaveViewButton } from '../../src/ui/views/save-view-button';

type SearchParams = Record<string, string | string[] | undefined>;

const isSortColumn = (value: string | null): value is SortColumn => value !== null && (SORT_COLUMNS as readonly string[]).includes(value);

/** /connections?host=ID&q=QUERY&sort=COLUMN&desc=1 */
export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const sort = firstParam(params.sort);
  const host = firstParam(params.host);
  const query = firstParam(params.q) ?? '';
  const initialSort: WindowSpec['sort'] = isSortColumn(sort) ? { column: sort, desc: firstParam(params.desc) === '1' } : { column: 'timeout', desc: true };
  // The first window is read here, so its rows come with the page: the browser shows them before its
  // scripts have run (a streamed version waited for the scripts' evaluation), and subscribes for the
  // live window as soon as they have. An agent slower than FIRST_WINDOW_WAIT_MS leaves it to them.
  const initial = (await firstWindowLoader()?.((await headers()).get('cookie'), host, { query, sort: initialSort, offset: 0, limit: WINDOW_ROWS })) ?? null;
  return (
    <>
      <AppHeader current="connections" actions={<SaveViewButton page="connections" />} />
      <main className="page page-wide">
        <ConnectionsExplorer initialHost={host} initialQuery={query} initialSort={initialSort} initial={initial} />
      </main>
    </>
  );
}
