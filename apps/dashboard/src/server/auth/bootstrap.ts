import type { Store } from '../store/types';
import { generatePassword, hashPassword } from './passwords';

export const ADMIN_USERNAME = 'admin';

export type AdminBootstrap =
  | { created: false }
  | { created: true; username: string; generatedPassword: string | null };

/**
 * Creates the `admin` user on first run. Its password comes from CTSCOPE_ADMIN_PASSWORD, or is generated
 * and returned so the caller prints it once; only the argon2id hash is stored.
 */
export async function ensureAdmin(store: Store, configuredPassword: string | undefined): Promise<AdminBootstrap> {
  if (await store.findUserByName(ADMIN_USERNAME)) return { created: false };
  const password = configuredPassword ?? generatePassword();
  try {
    await store.createUser(ADMIN_USERNAME, await hashPassword(password), 'admin');
  } catch (err) {
    // Another dashboard server sharing the store created it meanwhile.
    if (await store.findUserByName(ADMIN_USERNAME)) return { created: false };
    throw err;
  }
  return { created: true, username: ADMIN_USERNAME, generatedPassword: configuredPassword ? null : password };
}
