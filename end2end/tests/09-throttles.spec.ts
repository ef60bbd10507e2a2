// Sign-in throttling as a person meets it, with JavaScript disabled: after repeated wrong
// passwords the form says how long to wait; an admin sees the lock on the throttles page and
// clears it. Screenshots at desktop and phone width.
import { expect, test, type Page } from '@playwright/test';
import { adminPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test.describe.serial('sign-in throttles', () => {
  test('repeated wrong passwords lock the account on this address, with the wait in words', async ({ page }) => {
    for (let i = 0; i < 5; i++) {
      await signIn(page, 'mallory', `guess ${i}`);
      await expect(page.getByRole('alert')).toContainText('wrong user name or password');
    }
    await signIn(page, 'mallory', 'guess 6');
    await expect(page.getByRole('alert')).toContainText(/too many failed sign-ins; try again in \d+ seconds/);
    await shot(page, '90-login-throttled');
  });

  test('an admin sees the lock and clears it', async ({ page }) => {
    await signIn(page, 'admin', adminPassword);
    await page.goto('/users');
    await page.getByRole('link', { name: 'Sign-in throttles' }).click();
    await expect(page.getByRole('heading', { name: 'Sign-in throttles' })).toBeVisible();
    const row = page.locator('tr[data-throttle="pair:mallory|127.0.0.1"]');
    await expect(row).toContainText('mallory from 127.0.0.1');
    await expect(row).toContainText('5 of 5');
    await expect(row).toContainText(/locked for \d+ seconds/);
    await expect(page.locator('tr[data-throttle="user:mallory"]')).toContainText('5 of 15');
    await shot(page, '91-throttles');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, '92-throttles-phone');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, 'the page itself does not scroll sideways at 390 px').toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });

    await row.getByRole('button', { name: 'Clear' }).click();
    await expect(page).toHaveURL(/\/users\/throttles$/);
    await expect(page.locator('tr[data-throttle="pair:mallory|127.0.0.1"]')).toHaveCount(0);
    await expect(page.locator('tr[data-throttle="user:mallory"]')).toBeVisible();
  });

  test('after the admin cleared it, the account is checked again', async ({ page }) => {
    await signIn(page, 'mallory', 'guess 7');
    await expect(page.getByRole('alert')).toContainText('wrong user name or password');
  });
});
