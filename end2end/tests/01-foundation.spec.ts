// First run, forced password change, user administration and role-limited navigation,
// all with JavaScript disabled. Screenshots of every page visited go to end2end/screenshots/.
import { expect, test, type Page } from '@playwright/test';
import { adminPassword, reviewerPassword, reviewerTemp, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test.describe.serial('foundation', () => {
  test('pages load no script bundle', async ({ page }) => {
    await page.goto('/login');
    // Without the optional wasm build the page must not ask for scripts that do not exist.
    await expect(page.locator('script[src]')).toHaveCount(0);
  });

  test('first-run admin signs in and must change the password', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await shot(page, '01-login');

    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('wrong user name or password');
    await shot(page, '02-login-error');

    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(process.env.TENURE_ADMIN_PASSWORD!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/account\/password$/);
    await expect(page.getByText('temporary password')).toBeVisible();
    // Nothing else is reachable until the password is changed.
    await page.goto('/users');
    await expect(page).toHaveURL(/\/account\/password$/);

    await page.getByLabel('Current password').fill(process.env.TENURE_ADMIN_PASSWORD!);
    await page.getByLabel('New password', { exact: true }).fill('aaaaaaaaaaaaaaaa');
    await page.getByLabel('Repeat the new password').fill('aaaaaaaaaaaaaaaa');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('[data-field="new_password"]')).toContainText('must not repeat one character');
    await shot(page, '03-password-error');

    await page.getByLabel('Current password').fill(process.env.TENURE_ADMIN_PASSWORD!);
    await page.getByLabel('New password', { exact: true }).fill(adminPassword);
    await page.getByLabel('Repeat the new password').fill(adminPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(/:\d+\/$/);
    await expect(page.getByTestId('notice')).toHaveText('Your password is set. Welcome to Tenure.');
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await expect(page.getByTestId('users-active')).toHaveText('1');
    await expect(page.getByRole('table')).toContainText('admin changed their password');
    await shot(page, '04-dashboard-admin');
  });

  test('admin creates a reviewer', async ({ page }) => {
    await signIn(page, 'admin', adminPassword);
    await page.getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();

    await page.getByLabel('User name').fill('Ri');
    await page.getByLabel('Initial password').fill(reviewerTemp);
    await page.getByLabel('reviewer').last().check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.locator('[data-field="username"]')).toContainText('3 to 64 characters');
    await shot(page, '05-users-error');

    await page.getByLabel('User name').fill('rita');
    await page.getByLabel('Initial password').fill(reviewerTemp);
    await page.getByLabel('reviewer').last().check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('status')).toContainText('User rita was created');
    const row = page.locator('tr[data-user="rita"]');
    await expect(row).toContainText('password change pending');
    await expect(row.getByLabel('reviewer')).toBeChecked();
    await expect(row.getByLabel('admin')).not.toBeChecked();
    await shot(page, '06-users');
  });

  test('the reviewer signs in and sees only what a reviewer may see', async ({ page }) => {
    await signIn(page, 'rita', reviewerTemp);
    await expect(page).toHaveURL(/\/account\/password$/);
    await page.getByLabel('Current password').fill(reviewerTemp);
    await page.getByLabel('New password', { exact: true }).fill(reviewerPassword);
    await page.getByLabel('Repeat the new password').fill(reviewerPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    // A reviewer's work is the inbox: that is where she lands.
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
    await expect(page.getByTestId('signed-in-user')).toHaveText('rita');
    await expect(page.locator('.who .badge')).toHaveText(['reviewer']);
    await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
    await shot(page, '07-dashboard-reviewer');

    const res = await page.goto('/users');
    expect(res?.status()).toBe(403);
    await expect(page.getByRole('heading', { name: 'Not available to your role' })).toBeVisible();
    await shot(page, '08-forbidden');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });
});

