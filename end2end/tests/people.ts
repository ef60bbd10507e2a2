import type { Page } from '@playwright/test';

// Passwords the specs give the people they create; the specs run in file order, one worker.
export const adminPassword = 'admin password of my own';
export const reviewerTemp = 'reviewer temporary 1';
export const reviewerPassword = 'reviewer password of mine';
export const managerTemp = 'manager temporary 1';
export const managerPassword = 'manager password of mine';

/** Signs in through the login form. */
export async function signIn(page: Page, user: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Picks `capability` from `template` (its label, e.g. "EU refunds (v2)") in an agent's grant form. */
export async function chooseGrant(page: Page, template: string, capability: string) {
  const option = page.locator(`#grant-choice optgroup[label="${template}"] option`, { hasText: capability });
  const value = await option.getAttribute('value');
  if (!value) throw new Error(`the grant form offers no ${capability} from ${template}`);
  await page.getByLabel('Capability, from template').selectOption(value);
}
