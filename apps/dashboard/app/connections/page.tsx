import { SORT_COLUMNS, type SortColumn } from '@ctscope/protocol';
import { AppHeader } from '../../src/ui/app-header';
import { ConnectionsExplorer } from '../../src/ui/connections/connections-explorer';
import { firstParam } from '../../src/ui/live/url-state';
import { SaveViewButton } from '../../src/ui/views/save-view-button';

type SearchParams = Record<string, string | string[] | undefined>;

const isSortColumn = (value: string | null): value is SortColumn => value !== null && (SORT_COLUMNS as readonly string[]).includes(value);

/** /connections?host=ID&q=QUERY&sort=COLUMN&desc=1 */
export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const sort = firstParam(params.sort);
  return (
    <>
      <AppHeader current="connections" actions={<SaveViewButton page="connections" />} />
      <main className="page page-wide">
        <ConnectionsExplorer
          initialHost={firstParam(params.host)}
          initialQuery={firstParam(params.q) ?? ''}
          initialSort={isSortColumn(sort) ? { column: sort, desc: firstParam(params.desc) === '1' } : { column: 'timeout', desc: true }}
        />
      </main>
    </>
  );
}
