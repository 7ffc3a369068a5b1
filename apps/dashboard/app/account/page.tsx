import { AppHeader } from '../../src/ui/app-header';
import { PasswordForm } from '../../src/ui/account/password-form';

export default function AccountPage() {
  return (
    <>
      <AppHeader current="account" />
      <main className="page">
        <PasswordForm />
      </main>
    </>
  );
}
