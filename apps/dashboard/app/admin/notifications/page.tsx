import { AppHeader } from '../../../src/ui/app-header';
import { NotificationsManager } from '../../../src/ui/notifications/notifications-manager';

export default function NotificationsPage() {
  return (
    <>
      <AppHeader current="notifications" />
      <main className="page">
        <NotificationsManager />
      </main>
    </>
  );
}
