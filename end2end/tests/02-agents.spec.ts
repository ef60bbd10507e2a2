// A manager registers an agent, sees its API key exactly once, the agent uses the key, and
// the manager suspends it — JavaScript disabled throughout.
import { expect, test, type Page } from '@playwright/test';
import { adminPassword, managerPassword, managerTemp, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });


test.describe.serial('agents', () => {
  test('admin creates a manager, who sets a password', async ({ page }) => {
    await signIn(page, 'admin', adminPassword);
    await page.goto('/users');
    await page.getByLabel('User name').fill('mona');
    await page.getByLabel('Initial password').fill(managerTemp);
    await page.locator('fieldset.roles').getByLabel('manager').check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('status')).toContainText('User mona was created');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, 'mona', managerTemp);
    await page.getByLabel('Current password').fill(managerTemp);
    await page.getByLabel('New password', { exact: true }).fill(managerPassword);
    await page.getByLabel('Repeat the new password').fill(managerPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('link', { name: 'Agents' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  });

  test('the manager registers an agent and sees its key once; the agent uses it', async ({ page, request }) => {
    await signIn(page, 'mona', managerPassword);
    await page.getByRole('link', { name: 'Agents' }).click();
    await expect(page.getByText('No agents yet')).toBeVisible();
    await shot(page, '10-agents-empty');

    await page.getByLabel('Name', { exact: true }).fill('support bot');
    await page.getByLabel('Purpose').fill('Answers customer e-mails <b>politely</b>');
    await page.getByRole('button', { name: 'Register agent' }).click();
    await expect(page.locator('[data-field="name"]')).toContainText("' ' is not allowed");
    await shot(page, '11-agents-error');

    await page.getByLabel('Name', { exact: true }).fill('support-bot');
    await page.getByLabel('Purpose').fill('Answers customer e-mails <b>politely</b>');
    await page.getByLabel('Environment').selectOption('production');
    await page.getByLabel('Model / vendor note').fill('vendor X, model Y');
    await page.getByRole('button', { name: 'Register agent' }).click();
    await expect(page.getByRole('heading', { name: /support-bot/ })).toBeVisible();
    await expect(page.getByText('Answers customer e-mails <b>politely</b>')).toBeVisible();
    await expect(page.getByText('No keys yet')).toBeVisible();

    await page.getByRole('button', { name: 'Generate key' }).click();
    const key = (await page.getByTestId('new-key').textContent())!.trim();
    expect(key).toMatch(/^tnr_[A-Za-z0-9]{8}_[A-Za-z0-9]{43}$/);
    await shot(page, '12-agent-new-key');

    await page.reload();
    await expect(page.getByTestId('new-key')).toHaveCount(0);
    const row = page.locator(`tr[data-key="${key.slice(4, 12)}"]`);
    await expect(row).toContainText('never');

    const me = await request.get('/v1/agents/me', { headers: { Authorization: `Bearer ${key}` } });
    expect(me.status()).toBe(200);
    expect((await me.json()).name).toBe('support-bot');
    const refused = await request.get('/v1/agents/me', { headers: { Authorization: 'Bearer tnr_forged' } });
    expect(refused.status()).toBe(401);

    await page.reload();
    await expect(row).not.toContainText('never');
    await expect(page.getByRole('table').last()).toContainText('agent.key_issued');
    await shot(page, '13-agent-detail');
  });

  test('the manager suspends the agent with a reason', async ({ page, request }) => {
    await signIn(page, 'mona', managerPassword);
    await page.goto('/agents');
    await page.getByRole('link', { name: 'support-bot' }).click();
    await page.getByLabel('Reason').fill('answered in the wrong language');
    await page.getByRole('button', { name: 'Suspend agent' }).click();
    await expect(page.getByTestId('agent-status')).toHaveText('suspended');
    await expect(page.getByText('Suspended: answered in the wrong language')).toBeVisible();
    await shot(page, '14-agent-suspended');
    await page.goto('/agents');
    await expect(page.locator('tr[data-agent="support-bot"]')).toContainText('suspended');
    await shot(page, '15-agents-list');
  });
});
