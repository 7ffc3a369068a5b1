import { AppHeader } from '../../src/ui/app-header';
import { firstParam } from '../../src/ui/live/url-state';
import { TuningView } from '../../src/ui/tuning/tuning-view';
import '../../src/ui/tuning/tuning.css';

type SearchParams = Record<string, string | string[] | undefined>;

/** /tuning?host=ID */
export default async function TuningPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  return (
    <>
      <AppHeader current="tuning" />
      <main className="page page-tuning">
        <TuningView initialHost={firstParam(params.host)} />
      </main>
    </>
  );
}
