import { AppHeader } from '../../../src/ui/app-header';
import { TokensManager } from '../../../src/ui/tokens/tokens-manager';

export default function TokensPage() {
  return (
    <>
      <AppHeader current="account" />
      <main className="page">
        <TokensManager />
      </main>
    </>
  );
}
