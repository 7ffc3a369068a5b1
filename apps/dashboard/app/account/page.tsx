import { AppHeader } from '../../src/ui/app-header';
import { PasswordForm } from '../../src/ui/account/password-form';

export default function AccountPage() {
  return (
    <>
      <AppHeader current="account" />
      <main className="page">
        <PasswordForm />
        <section className="panel form-grid narrow" aria-label="API tokens">
          <h2>API tokens</h2>
          <p>
            Scripts and tools reach the JSON API with an API token instead of your password: <a href="/account/tokens">manage your API tokens</a>.
          </p>
        </section>
      </main>
    </>
  );
}
