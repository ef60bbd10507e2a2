// Earned autonomy end to end, JavaScript disabled: a template sets what an agent must show and
// how often it is reviewed; an agent that meets its criteria is listed ready and promoted; one
// that does not is promoted only with a written justification, in a scheduled review.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { chooseGrant, managerPassword, reviewerPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

const ask = (request: APIRequestContext, key: string, order: number) =>
  request.post('/v1/actions', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      capability: 'finance.refund.issue',
      params: { order_id: `Q-${order}`, amount: 30 + order, currency: 'EUR' },
      reasoning: `Order Q-${order} was charged twice`,
      confidence: 0.9,
    },
  });

/** Registers `name`, grants it refunds at contributor from Quick refunds v2; its page and key. */
async function agentWithGrant(page: Page, name: string) {
  await page.goto('/agents');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Purpose').fill('Refunds under a quick review cadence');
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();
  const url = page.url();
  await chooseGrant(page, 'Quick refunds (v2)', 'finance.refund.issue');
  await page.getByLabel('Tier', { exact: true }).selectOption('contributor');
  await page.getByLabel('Justification').fill('Granted directly for this end-to-end test');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue');
  return { url, key };
}

test('criteria in the template, ready to promote, an override and a scheduled review', async ({ page, request }) => {
  await signIn(page, 'mona', managerPassword);
  await page.goto('/templates');
  const card = page.locator('[data-template="Finance analysis and refunds"]');
  await card.getByLabel('Copy as').fill('Quick refunds');
  await card.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('heading', { name: /Quick refunds/ })).toBeVisible();

  // The criteria are written in the rule; a mistake names the item, and what was typed stays.
  let rule = page.locator('details[data-rule="finance.refund.issue"]');
  await rule.locator('summary').click();
  await expect(rule.getByLabel('Contributor → executor')).toHaveValue(/samples >= 200; lower_bound >= 0.95/);
  await rule.getByLabel('Contributor → executor').fill('samples >= two; lower_bound >= 0.2; reviewers >= 1');
  await rule.getByLabel('Review contributors every (days)').fill('10');
  await rule.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.locator('[data-field="finance.refund.issue/to_executor"]')).toContainText("'two' is not a number");
  rule = page.locator('details[data-rule="finance.refund.issue"]');
  await expect(rule.getByLabel('Contributor → executor')).toHaveValue('samples >= two; lower_bound >= 0.2; reviewers >= 1');
  await expect(rule.getByLabel('Review contributors every (days)')).toHaveValue('10');
  await rule.getByLabel('Contributor → executor').fill('samples >= 2; lower_bound >= 0.2; reviewers >= 1');
  await rule.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 2');
  const saved = page.locator('[data-rule="finance.refund.issue"] dl.criteria').first();
  await expect(saved).toContainText('samples >= 2; lower_bound >= 0.2; reviewers >= 1; patterns >= 0; days >= 0');
  await expect(saved).toContainText('every 90 days at executor, 10 at contributor');
  await shot(page, '47-template-criteria');
  // The comparison names the changed criteria and cadence.
  await page.getByLabel('From').fill('1');
  await page.getByLabel('to', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-table')).toContainText('to_executor');
  await expect(page.locator('#compare-table')).toContainText('reviews');

  const quick = await agentWithGrant(page, 'quick-bot');
  const slow = await agentWithGrant(page, 'slow-bot');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // quick-bot has two refunds approved; slow-bot has one rejected.
  const quickIds = [(await (await ask(request, quick.key, 1)).json()).id, (await (await ask(request, quick.key, 2)).json()).id];
  const slowId = (await (await ask(request, slow.key, 3)).json()).id;
  await signIn(page, 'rita', reviewerPassword);
  for (const [id, verdict] of [[quickIds[0], 'Approve'], [quickIds[1], 'Approve'], [slowId, 'Reject']] as const) {
    await page.goto(`/actions/${id}`);
    await page.getByLabel('Comment').fill('checked against the ledger');
    await page.getByRole('button', { name: verdict }).click();
    await expect(page.getByRole('status')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Ready to promote: quick-bot meets every criterion; slow-bot shows what it lacks.
  await signIn(page, 'mona', managerPassword);
  await page.goto('/agents');
  const queue = page.locator('#promotion-queue');
  await expect(queue.locator('tr[data-queue="quick-bot:finance.refund.issue"]')).toContainText('meets every criterion');
  await expect(queue.locator('tr[data-queue="quick-bot:finance.refund.issue"]')).toContainText('100% of 2 (≥ 34%)');
  await queue.locator('summary').click();
  await expect(queue.locator('tr[data-queue="slow-bot:finance.refund.issue"]')).toContainText('needs 1 more decided proposals (1 of 2)');
  await shot(page, '48-ready-to-promote');
  await queue.getByRole('link', { name: 'quick-bot' }).click();
  await expect(page.locator('[data-scorecard="finance.refund.issue"]').getByTestId('ready')).toContainText('Meets every criterion for executor');
  const grant = page.locator('#grants-table tr[data-grant="finance.refund.issue"]');
  await grant.getByLabel('Reason for finance.refund.issue').fill('two clean refunds, criteria met');
  await grant.getByRole('button', { name: 'Promote' }).click();
  await expect(page.getByRole('status')).toContainText('finance.refund.issue is now at executor');

  // The agents list draws each grant's twelve weeks small, with the figure and its cases.
  await page.goto('/agents');
  const trend = page.locator('tr[data-agent="quick-bot"] [data-trend="finance.refund.issue"]');
  await expect(trend.getByTestId('sparkline')).toBeVisible();
  await expect(trend).toContainText('approval 100% of 2 (≥ 34%)');
  await expect(page.locator('tr[data-agent="slow-bot"] [data-trend="finance.refund.issue"]')).toContainText('approval 0% of 1 (≥ 0%)');
  await shot(page, '48b-agents-sparklines');

  // The scheduled review: slow-bot's contributor grant is due in ten days.
  await page.getByRole('link', { name: 'Reviews', exact: true }).click();
  const due = page.locator('#reviews-table tr[data-review="slow-bot:finance.refund.issue"]');
  await expect(due).toContainText(/due in (9|10) days/);
  await expect(due).toContainText('every 10 days at contributor');
  await expect(page.locator('#reviews-table tr[data-review="quick-bot:finance.refund.issue"]')).toHaveCount(0);
  await shot(page, '49-reviews-due');
  await due.getByRole('link', { name: 'Review' }).click();
  await expect(page.locator('[data-scorecard="finance.refund.issue"]').getByTestId('missing')).toContainText('needs 1 more decided proposals');
  // Promoting without the criteria needs a justification; the short one comes back, kept.
  await page.getByLabel('Promote to executor').check();
  await page.getByLabel('Comment').fill('trial run');
  await page.getByRole('button', { name: 'Record review' }).click();
  await expect(page.locator('[data-field="comment"]')).toContainText('promoting anyway needs a justification of at least 20 characters');
  await expect(page.getByLabel('Comment')).toHaveValue('trial run');
  await expect(page.getByLabel('Promote to executor')).toBeChecked();
  await shot(page, '50-review-override-refused');
  await page.getByLabel('Comment').fill('the rejected refund was a policy change, not an error');
  await page.getByRole('button', { name: 'Record review' }).click();
  await expect(page.getByRole('status')).toContainText('Review recorded: finance.refund.issue is at executor');
  await expect(page.getByTestId('none-due')).toBeVisible();
  // The review is listed among those recorded lately, with the tier it changed.
  const recorded = page.locator('#recent-reviews tr', { hasText: 'slow-bot' });
  await expect(recorded).toContainText('promote');
  await expect(recorded).toContainText('contributor → executor');

  // The agent's history says it was reviewed, and that the promotion was an override.
  await page.goto(slow.url);
  await expect(page.locator('body')).toContainText('reviewed finance.refund.issue at contributor: promote');
  await expect(page.locator('body')).toContainText('without meeting its criteria (override)');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/reviews');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'phone-reviews');
});
