import { AppHeader } from '../../src/ui/app-header';
import { PasswordForm } from '../../src/ui/account/password-form';

export default function AccountPage() {
  return (
    <>
      <AppHeader current="account" />
      <main className="page">
        <PasswordForm />
        <p className="panel narrow">
          Scripts and tools reach the JSON API with an <a href="/account/tokens">API token</a>.
        </p>
      </main>
    </>
  );
}
