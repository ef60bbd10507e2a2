// The path from onboarding to a decision: a manager registers an agent, sees its key once,
// grants one capability from the copied template, and the agent's request shows on its page.
import { expect, test, type Page } from '@playwright/test';
import { chooseGrant, managerPassword } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test('an agent asks before acting and its decision shows on its page', async ({ page, request }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill('mona');
  await page.getByLabel('Password').fill(managerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.getByLabel('Name', { exact: true }).fill('refund-bot');
  await page.getByLabel('Purpose').fill('Refunds duplicate charges');
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();

  // A template is offered only with the capabilities it has a rule for.
  await expect(page.locator('#grant-choice optgroup[label="Support replies (v1)"] option')).not.toContainText(['finance.refund.issue']);
  await expect(page.locator('#grant-choice optgroup[label="Support replies (v1)"] option')).toContainText(['support.reply.send']);
  await chooseGrant(page, 'EU refunds (v2)', 'finance.refund.issue');
  const chosen = await page.locator('#grant-choice').inputValue();
  await page.getByLabel('Tier', { exact: true }).selectOption('executor');
  // Straight to executor with no record skips both promotions: an override, so it needs a
  // written justification, like a promotion that does not meet its criteria.
  await page.getByLabel('Justification').fill('too short');
  await page.getByRole('button', { name: 'Grant' }).click();
  const why = page.locator('.field-error[data-field="justification"]');
  await expect(why).toContainText('to executor: needs 200 more decided proposals (0 of 200)');
  await expect(why).toContainText('needs a justification of at least 20 characters');
  // What was chosen and typed is still there, and stays there on a reload of the error page.
  for (const again of [false, true]) {
    if (again) await page.reload();
    await expect(page.locator('#grant-choice')).toHaveValue(chosen);
    await expect(page.getByLabel('Tier', { exact: true })).toHaveValue('executor');
    await expect(page.getByLabel('Justification')).toHaveValue('too short');
    await expect(why).toBeVisible();
  }
  await shot(page, '39-grant-needs-justification');
  await page.getByLabel('Justification').fill('Pilot agreed with finance: refunds under 100 EUR only');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue at executor');
  await expect(page.locator('section', { has: page.getByRole('heading', { name: 'History' }) })).toContainText('without meeting its criteria (override): Pilot agreed with finance');
  const grant = page.locator('tr[data-grant="finance.refund.issue"]');
  await expect(grant.getByTestId('tier')).toHaveText('executor');
  await expect(grant).toContainText('EU refunds v2');
  // A capability it holds is not offered again.
  await expect(page.locator('#grant-choice optgroup[label="EU refunds (v2)"] option', { hasText: 'finance.refund.issue' })).toHaveCount(0);
  // Executors are reviewed every 90 days unless the template says otherwise.
  await expect(grant).toContainText(/due \d{4}-\d{2}-\d{2} \(in (89|90) days\)/);

  const ask = (amount: number) =>
    request.post('/v1/actions', {
      headers: { Authorization: `Bearer ${key}` },
      data: {
        capability: 'finance.refund.issue',
        params: { order_id: 'A-1', amount, currency: 'EUR' },
        reasoning: 'Order A-1 was charged twice; refunding the duplicate',
        confidence: 0.97,
        task_ref: 'ticket-881',
      },
    });
  const first = await ask(30);
  expect(first.status()).toBe(200);
  const answer = await first.json();
  expect(answer.decision).toBe('needs_approval');
  expect(answer.rule).toContain("currency = 'EUR' was never used by this agent before");

  await page.reload();
  const row = page.locator(`tr[data-action="${answer.id}"]`);
  await expect(row).toContainText('needs_approval');
  await expect(row).toContainText('Order A-1 was charged twice');
  await shot(page, '40-agent-decisions');

  await grant.getByLabel('Reason for finance.refund.issue').fill('wait for the first reviews');
  await grant.getByRole('button', { name: 'Demote' }).click();
  await expect(page.getByRole('status')).toContainText('finance.refund.issue is now at contributor');
  const second = await (await ask(20)).json();
  expect(second.decision).toBe('needs_approval');
  expect(second.rule).toContain('contributor tier');
  await page.reload();
  await expect(page.locator('#decisions-table tbody tr')).toHaveCount(2);
  await expect(page.locator('table').last()).toContainText('grant.demoted');
  await shot(page, '41-agent-demoted');
});
