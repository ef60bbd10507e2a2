// The inbox as a team works it, JavaScript disabled: a manager forms a reviewer group, routes
// large refunds to it and makes an agent a reviewer's copilot; the person finds its proposal in
// "Mine", claims it and approves it with changes; a rule needing two people waits for the
// second; and managers see each reviewer's figures. Screenshots at 1280 and 390 px.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { adminPassword, chooseGrant, managerPassword, reviewerPassword, signIn } from './people';

const shot = async (page: Page, name: string) => {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `screenshots/phone-${name}.png`, fullPage: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, `${name} is ${wide} px wide at 390 px`).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 900 });
};

const rexPassword = 'rex password of his own';
const keys: Record<string, string> = {};

async function agentWithGrant(page: Page, name: string, template: string): Promise<string> {
  await page.goto('/agents');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Purpose').fill(`${name} for the team inbox test`);
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();
  await chooseGrant(page, template, 'finance.refund.issue');
  await page.getByLabel('Tier', { exact: true }).selectOption('contributor');
  await page.getByLabel('Justification').fill('Granted directly for this end-to-end test');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue');
  return key;
}

const ask = async (request: APIRequestContext, key: string, amount: number, order: string) => {
  const res = await request.post('/v1/actions', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      capability: 'finance.refund.issue',
      params: { order_id: order, amount, currency: 'EUR', reason: 'damaged parcel' },
      reasoning: `customer ${order} sent photos of a damaged parcel`,
      confidence: 0.88,
    },
  });
  expect(res.status()).toBe(200);
  return (await res.json()) as { id: number; state: string; params: Record<string, unknown> };
};

test.describe.serial('a team works the inbox', () => {
  test('an admin adds a second reviewer', async ({ page }) => {
    await signIn(page, 'admin', adminPassword);
    await page.goto('/users');
    await page.getByLabel('User name').fill('rex');
    await page.getByLabel('Initial password').fill('rex temporary password');
    await page.getByLabel('reviewer').last().check();
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('status')).toContainText('User rex was created');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'rex', 'rex temporary password');
    await page.getByLabel('Current password').fill('rex temporary password');
    await page.getByLabel('New password', { exact: true }).fill(rexPassword);
    await page.getByLabel('Repeat the new password').fill(rexPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(/\/inbox$/);
  });

  test('a manager sets two-person approval, forms a group and makes a copilot', async ({ page }) => {
    await signIn(page, 'mona', managerPassword);
    // A rule that needs two people for refunds over 100.
    await page.goto('/templates');
    const card = page.locator('[data-template="Finance analysis and refunds"]');
    await card.getByLabel('Copy as').fill('Four eyes');
    await card.getByRole('button', { name: 'Copy' }).click();
    const rule = page.locator('details[data-rule="finance.refund.issue"]');
    await rule.locator('summary').click();
    await rule.getByLabel('Approvals needed').fill('9');
    await rule.getByRole('button', { name: 'Save as new version' }).click();
    await expect(page.locator('[data-field="finance.refund.issue/approvals_required"]')).toContainText('must be 1');
    await expect(rule.getByLabel('Approvals needed')).toHaveValue('9');
    await rule.getByLabel('Approvals needed').fill('2');
    await rule.getByLabel('Only when (Cedar, optional)').fill('context.params.amount > 100');
    await rule.getByRole('button', { name: 'Save as new version' }).click();
    await expect(page.getByRole('status')).toContainText('Saved as version 2');
    await expect(page.locator('details[data-rule="finance.refund.issue"] summary')).toContainText('2 approvals from distinct people');

    // A group of reviewers, and large refunds routed to it.
    await page.goto('/groups');
    await page.getByLabel('New group').fill('finance reviewers');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.getByRole('status')).toContainText('The group finance reviewers was created');
    const group = page.locator('[data-group="finance reviewers"]');
    await group.getByLabel('Add reviewer').fill('nobody');
    await group.getByRole('button', { name: 'Add' }).click();
    await expect(page.locator('[data-group="finance reviewers"] .field-error')).toContainText("no active user 'nobody'");
    await expect(page.locator('[data-group="finance reviewers"]').getByLabel('Add reviewer')).toHaveValue('nobody');
    await page.locator('[data-group="finance reviewers"]').getByLabel('Add reviewer').fill('rex');
    await page.locator('[data-group="finance reviewers"]').getByRole('button', { name: 'Add' }).click();
    await expect(page.locator('[data-group="finance reviewers"] .member')).toContainText('rex');
    await page.getByLabel('Capability').selectOption('finance.refund.issue');
    await page.getByLabel('Only when (Cedar, optional)').fill('context.params.amount > 100');
    await page.getByLabel('Send to').selectOption({ label: 'finance reviewers' });
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect(page.locator('#routes-table')).toContainText('context.params.amount > 100');
    await shot(page, '80-groups');

    // Rita's copilot.
    keys.copilot = await agentWithGrant(page, 'rita-copilot', 'Four eyes (v2)');
    const panel = page.getByTestId('copilot');
    await panel.getByLabel('Copilot of').selectOption({ label: 'rita' });
    await panel.getByLabel('Then the shared inbox after (minutes)').fill('0');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('[data-field="fallback_minutes"]')).toContainText('from 1 to');
    await page.getByTestId('copilot').getByLabel('Then the shared inbox after (minutes)').fill('45');
    await page.getByTestId('copilot').getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('copilot')).toContainText('Copilot of rita');
    await shot(page, '81-agent-copilot');
    keys.big = await agentWithGrant(page, 'four-eyes-bot', 'Four eyes (v2)');
  });

  test('the copilot\'s person claims its proposal and approves it with changes', async ({ page, request }) => {
    const asked = await ask(request, keys.copilot, 80, 'C-80');
    expect(asked.state).toBe('needs_approval');
    await signIn(page, 'rita', reviewerPassword);
    await page.goto('/inbox?view=approval&queue=mine');
    await expect(page.getByTestId('copilots')).toContainText('rita-copilot');
    const item = page.locator(`article[data-action="${asked.id}"]`);
    await expect(item.getByTestId('assigned')).toContainText('Assigned to rita until');
    await item.getByRole('button', { name: 'Claim', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('You claimed the item');
    await expect(page.locator(`article[data-action="${asked.id}"]`).getByTestId('claim')).toHaveText('Claimed by you');
    await shot(page, '82-inbox-mine-claimed');

    // Approve with changes: a refund above the limit and the ask is refused, then a lower one.
    const again = page.locator(`article[data-action="${asked.id}"]`);
    await again.locator('details.edit-approval summary').click();
    const edited = JSON.stringify({ order_id: 'C-80', amount: 900, currency: 'EUR', reason: 'damaged parcel' }, null, 2);
    await again.getByLabel(/Params to approve/).fill(edited);
    await again.getByRole('button', { name: 'Approve with these changes' }).click();
    await expect(page.locator(`[data-field="${asked.id}/params"]`)).toContainText('an edit may lower it');
    await expect(page.locator(`article[data-action="${asked.id}"]`).getByLabel(/Params to approve/)).toHaveValue(edited);
    await shot(page, '83-inbox-edit-refused');
    const lower = JSON.stringify({ order_id: 'C-80', amount: 40, currency: 'EUR', reason: 'half: one item was fine' });
    await page.locator(`article[data-action="${asked.id}"]`).getByLabel(/Params to approve/).fill(lower);
    await page.locator(`article[data-action="${asked.id}"]`).getByLabel('Comment').fill('Only one of the two items was damaged');
    await page.locator(`article[data-action="${asked.id}"]`).getByRole('button', { name: 'Approve with these changes' }).click();
    await expect(page.getByRole('status')).toContainText('approved with your changes');

    const told = await (await request.get(`/v1/actions/${asked.id}`, { headers: { Authorization: `Bearer ${keys.copilot}` } })).json();
    expect(told.state).toBe('approved');
    expect(told.params.amount).toBe(40);
    expect(told.proposed_params.amount).toBe(80);
    await page.goto(`/actions/${asked.id}`);
    await expect(page.getByTestId('edited')).toContainText('The agent proposed');
    await expect(page.getByTestId('edited').locator('del')).toContainText(['80', 'damaged parcel']);
    await shot(page, '84-action-edited');
  });

  test('a large refund waits for a second person', async ({ page, request }) => {
    const asked = await ask(request, keys.big, 150, 'B-150');
    await signIn(page, 'rita', reviewerPassword);
    await page.goto('/inbox?view=approval');
    const item = page.locator(`article[data-action="${asked.id}"]`);
    await expect(item.getByTestId('quorum')).toContainText('Needs 2 people');
    await expect(item.getByTestId('assigned')).toContainText('Assigned to group finance reviewers');
    await item.getByRole('button', { name: 'Approve (1 of 2)' }).click();
    await expect(page.getByRole('status')).toContainText("needs another person's approval");
    await expect(page.locator(`article[data-action="${asked.id}"]`).getByTestId('quorum')).toContainText('You approved');
    await shot(page, '85-inbox-first-approval');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, 'rex', rexPassword);
    await page.goto('/inbox?view=approval&queue=groups');
    const theirs = page.locator(`article[data-action="${asked.id}"]`);
    await expect(theirs.getByTestId('quorum')).toContainText('rita');
    await expect(theirs.getByTestId('quorum')).toContainText('1 more needed');
    await shot(page, '86-inbox-second-approval');
    await theirs.getByRole('button', { name: 'Approve (2 of 2)' }).click();
    await expect(page.getByRole('status')).toContainText('1 action approved');
    const told = await (await request.get(`/v1/actions/${asked.id}`, { headers: { Authorization: `Bearer ${keys.big}` } })).json();
    expect(told.state).toBe('approved');
    await page.goto(`/actions/${asked.id}`);
    await expect(page.locator('body')).toContainText('1 of 2 approvals');
  });

  test('managers see each reviewer\'s figures', async ({ page }) => {
    await signIn(page, 'mona', managerPassword);
    await page.goto('/monitoring');
    const rita = page.locator('#reviewers-table tr[data-reviewer="rita"]');
    await expect(rita).toBeVisible();
    await expect(page.locator('#reviewers-table tr[data-reviewer="rex"] [data-label="Decided"]')).toHaveText('1');
    await page.getByTestId('reviewer-figures').scrollIntoViewIfNeeded();
    await shot(page, '87-reviewer-figures');
  });
});
