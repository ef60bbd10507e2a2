// The console as its people meet it, JavaScript disabled: an admin resets a colleague's
// password from /users (shown once); the pages people work in, at a phone's 390 px and a
// desktop's 1280 px — tables read as cards on the phone, the sticky header stays small, the
// admin's navigation fits the desktop without sideways scroll. Screenshots of each.
import { expect, test, type Page } from '@playwright/test';
import { adminPassword, managerPassword, reviewerPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test('an admin resets a colleague\'s password and sees it exactly once', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  await page.goto('/users');
  await page.getByLabel('User name').fill('pat');
  await page.getByLabel('Initial password').fill('pat temporary password');
  await page.getByRole('group', { name: 'Roles' }).getByLabel('auditor').check();
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText('User pat was created');
  await page.locator('tr[data-user="pat"]').getByRole('button', { name: 'Reset password' }).click();
  const secret = (await page.getByTestId('new-password').textContent())!.trim();
  expect(secret.length).toBeGreaterThanOrEqual(20);
  await expect(page.getByRole('status').first()).toContainText('New one-time password for pat');
  await shot(page, '70-users-password-reset');
  await page.reload();
  await expect(page.getByTestId('new-password')).toHaveCount(0);
  await expect(page.locator('tr[data-user="pat"]')).toContainText('password change pending');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Pat signs in with it, must choose a password, and lands on the audit trail (an auditor).
  await signIn(page, 'pat', secret);
  await expect(page).toHaveURL(/\/account\/password$/);
  await page.getByLabel('Current password').fill(secret);
  await page.getByLabel('New password', { exact: true }).fill('pat password of my own');
  await page.getByLabel('Repeat the new password').fill('pat password of my own');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  // Records about an agent name it.
  await page.goto('/audit?kind=grant.created');
  await expect(page.locator('#audit-table')).toContainText(/agent [a-z-]+ \(#\d+\)/);
});

/** The page at `path` fits `width` (no sideways scroll); a screenshot named for both. */
async function at(page: Page, width: number, path: string, name: string) {
  await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
  await page.goto(path);
  await expect(page.locator('main').first()).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, `${path} is ${wide} px wide at ${width} px`).toBeLessThanOrEqual(width);
  if (width < 600) {
    // The sticky header leaves the screen to the page: at most about a tenth of it.
    const header = await page.locator('header.topbar').boundingBox();
    expect(header!.height, `${path}: the header is ${header!.height} px tall`).toBeLessThanOrEqual(96);
  }
  await shot(page, `${width}-${name}`);
}

test('a manager\'s pages at 390 and 1280 px', async ({ page }) => {
  await signIn(page, 'mona', managerPassword);
  // An agent with grants, decisions and a track record (the earned-autonomy spec's).
  await page.goto('/agents');
  const agent = await page.locator('#agents-table tr[data-agent="quick-bot"] a').first().getAttribute('href');
  for (const width of [390, 1280]) {
    for (const [path, name] of [['/agents', 'agents'], [agent!, 'agent'], ['/reviews', 'reviews'], ['/alerts', 'alerts']]) {
      await at(page, width, path, name);
    }
  }
  // On a phone the agents list reads as cards: the agent's name and its grants without scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/agents');
  const first = page.locator('#agents-table tbody tr').first();
  await expect(first).toBeVisible();
  const box = await first.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
});

test('a reviewer\'s and an admin\'s pages at 390 and 1280 px', async ({ page }) => {
  await signIn(page, 'rita', reviewerPassword);
  for (const width of [390, 1280]) await at(page, width, '/inbox', 'inbox');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'admin', adminPassword);
  for (const width of [390, 1280]) await at(page, width, '/users', 'users');
  // The admin sees every section; at 1280 px they fit on one line.
  await page.setViewportSize({ width: 1280, height: 900 });
  const nav = await page.locator('nav.nav').boundingBox();
  const links = page.locator('nav.nav a');
  const last = await links.last().boundingBox();
  expect(last!.x + last!.width, 'the last section is on screen').toBeLessThanOrEqual(1280);
  expect(nav!.height, 'one line of sections').toBeLessThanOrEqual(48);
});
