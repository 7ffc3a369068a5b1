import { AppHeader } from '../../../src/ui/app-header';
import { UsersManager } from '../../../src/ui/users/users-manager';

export default function UsersPage() {
  return (
    <>
      <AppHeader current="users" />
      <main className="page">
        <UsersManager />
      </main>
    </>
  );
}
