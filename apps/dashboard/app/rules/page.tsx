import { AppHeader } from '../../src/ui/app-header';
import { firstParam } from '../../src/ui/live/url-state';
import { RulesView } from '../../src/ui/rules/rules-view';
import '../../src/ui/tuning/tuning.css';
import '../../src/ui/rules/rules.css';

type SearchParams = Record<string, string | string[] | undefined>;

/** /rules?host=ID (&src=ADDRESS prefills a connection limit from the top talkers) */
export default async function RulesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  return (
    <>
      <AppHeader current="rules" />
      <main className="page page-rules">
        <RulesView initialHost={firstParam(params.host)} initialSource={firstParam(params.src)} />
      </main>
    </>
  );
}
