'use client';

import { canChange, useSessionUser } from '../live/use-session-user';
import type { LiveSocket } from '../live/use-live-socket';
import { PendingChanges } from './pending-changes';
import { usePendingChanges } from './use-pending-changes';

/** The host page's banner: every change of this host that undoes itself unless confirmed, wherever it was made. */
export function PendingChangesBanner({ live, hostId }: { live: LiveSocket; hostId: string }) {
  const view = usePendingChanges(live, hostId);
  const user = useSessionUser();
  return <PendingChanges view={view} mayChange={canChange(user)} banner />;
}
