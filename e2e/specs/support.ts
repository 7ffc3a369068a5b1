import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { ADMIN_PASSWORD, expect, type Stack } from '../fixtures/stack';

/** Screenshots people look at before calling a page done (not committed). */
export const screenshotPath = (name: string): string => fileURLToPath(new URL(`../screenshots/${name}.png`, import.meta.url));

export async function loginAsAdmin(page: Page, stack: Stack, next = '/'): Promise<void> {
  await page.goto(`${stack.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${stack.url}${next}`);
}

/** Entries `conntrack -L` lists inside the test namespace for these filter arguments. */
export async function kernelEntries(stack: Stack, args: readonly string[]): Promise<string[]> {
  const { stdout } = await stack.ns.conntrack(['-L', ...args]);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

export const numberIn = (text: string): number => Number(text.replace(/[^\d]/g, ''));
