'use client';

import { userListResponseSchema, userResponseSchema, type Role, type UserSummary } from '@ctscope/protocol';
import { z } from 'zod';
import { useCallback, useEffect, useState } from 'react';
import { apiCall } from '../admin/api-client';
import { CreateUserForm } from './create-user-form';
import { UserRow } from './user-row';

/** Admins: the accounts, their roles and passwords. */
export function UsersManager() {
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [me, setMe] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await apiCall(userListResponseSchema, 'GET', '/api/users');
    if (res.ok) {
      setUsers(res.data.users);
      setMe(res.data.me);
    }
    setError(res.ok ? null : res.status === 403 ? 'Only admins manage users. Ask an admin to change your role.' : res.message);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const changeRole = async (user: UserSummary, role: Role) => {
    const res = await apiCall(userResponseSchema, 'PATCH', `/api/users/${user.id}`, { role });
    await load();
    return res.ok ? null : res.message;
  };
  const reset = async (user: UserSummary, password: string) => {
    const res = await apiCall(z.null(), 'POST', `/api/users/${user.id}/password`, { password });
    return res.ok ? null : res.message;
  };
  const remove = async (user: UserSummary) => {
    const res = await apiCall(z.null(), 'DELETE', `/api/users/${user.id}`);
    if (res.ok) setNotice(`${user.username} is deleted; their sessions have ended.`);
    await load();
    return res.ok ? null : res.message;
  };

  return (
    <>
      <div className="section-header">
        <h1>Users</h1>
        <span className="muted">Admins manage everything; operators change hosts; viewers only look.</span>
      </div>
      {error && <p className="error">{error}</p>}
      {users && (
        <CreateUserForm
          onCreated={(name) => {
            setNotice(`${name} can sign in now.`);
            void load();
          }}
        />
      )}
      {notice && <p className="notice-ok">{notice}</p>}
      {!users && !error && <div className="table-skeleton">Loading users…</div>}
      {users && (
        <table className="data-table" aria-label="Users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Signs in with</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} isMe={u.id === me} onRole={changeRole} onReset={reset} onDelete={remove} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
