import { AUDIT_PAGE_SIZES } from '@ctscope/protocol';
import { AppHeader } from '../../src/ui/app-header';
import { AuditView } from '../../src/ui/audit/audit-view';
import { firstParam } from '../../src/ui/live/url-state';

type SearchParams = Record<string, string | string[] | undefined>;

/** /audit?actor=&target=&action=&result=&from=&to=&page=&pageSize= */
export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const text = (key: string) => firstParam(params[key]) ?? '';
  const page = Math.max(1, Math.floor(Number(text('page'))) || 1);
  const size = Number(text('pageSize'));
  const pageSize = (AUDIT_PAGE_SIZES as readonly number[]).includes(size) ? size : 50;
  return (
    <>
      <AppHeader current="audit" />
      <main className="page page-audit">
        <AuditView
          initial={{ actor: text('actor'), target: text('target'), action: text('action'), result: text('result'), from: text('from'), to: text('to') }}
          initialPage={page}
          initialPageSize={pageSize}
        />
      </main>
    </>
  );
}
