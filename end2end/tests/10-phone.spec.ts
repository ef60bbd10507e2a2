// Every page a person uses, at a phone's 390 px with JavaScript disabled: nothing makes the
// page itself scroll sideways (a wide table scrolls inside its own box). Screenshots of each.
import { expect, test, type Page } from '@playwright/test';
import { adminPassword, managerPassword, reviewerPassword, signIn } from './people';

const phone = { width: 390, height: 844 };

async function fits(page: Page, path: string, name: string) {
  await page.goto(path);
  await expect(page.locator('main, .auth-card').first()).toBeVisible();
  await page.screenshot({ path: `screenshots/phone-${name}.png`, fullPage: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, `${path} is ${wide} px wide at 390 px`).toBeLessThanOrEqual(phone.width);
}

test.use({ viewport: phone });

test('the sign-in page fits a phone', async ({ page }) => {
  await fits(page, '/login', 'login');
});

test('an admin\'s pages fit a phone', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  for (const [path, name] of [
    ['/', 'dashboard'], ['/users', 'users'], ['/users/throttles', 'throttles'], ['/audit', 'audit'],
    ['/audit/records/1', 'audit-record'], ['/account/password', 'password'], ['/corrections', 'corrections'],
  ]) {
    await fits(page, path, name);
  }
});

test('a manager\'s pages fit a phone', async ({ page }) => {
  await signIn(page, 'mona', managerPassword);
  for (const [path, name] of [
    ['/agents', 'agents'], ['/agents/1', 'agent'], ['/capabilities', 'capabilities'],
    ['/templates', 'templates'], ['/templates/1', 'template'],
  ]) {
    await fits(page, path, name);
  }
});

test('a reviewer\'s pages fit a phone', async ({ page }) => {
  await signIn(page, 'rita', reviewerPassword);
  for (const [path, name] of [['/inbox', 'inbox'], ['/actions/1', 'action']]) {
    await fits(page, path, name);
  }
});
