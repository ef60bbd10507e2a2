// An agent's track record on its page: every rate with its cases and lower bound, a weekly
// chart drawn on the server, and what its next tier still needs, in words with numbers.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { chooseGrant, managerPassword, reviewerPassword, signIn } from './people';

const ask = (request: APIRequestContext, key: string, order: number) =>
  request.post('/v1/actions', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      capability: 'finance.refund.issue',
      params: { order_id: `S-${order}`, amount: 20 + order, currency: 'EUR' },
      reasoning: `Order S-${order} was charged twice`,
      confidence: 0.92,
    },
  });

test('a manager reads what an agent has shown and what it still lacks', async ({ page, request }) => {
  await signIn(page, 'mona', managerPassword);
  await page.goto('/agents');
  await page.getByLabel('Name', { exact: true }).fill('scored-bot');
  await page.getByLabel('Purpose').fill('Refunds, building a track record');
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();
  const agentPage = page.url();
  // The shipped finance template (the earlier specs changed the EU one).
  await chooseGrant(page, 'Finance analysis and refunds (v1)', 'finance.refund.issue');
  await page.getByLabel('Tier', { exact: true }).selectOption('contributor');
  await page.getByLabel('Justification').fill('Granted directly for this end-to-end test');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Three proposals; a reviewer approves two and rejects one.
  const ids: number[] = [];
  for (const order of [1, 2, 3]) ids.push((await (await ask(request, key, order)).json()).id);
  await signIn(page, 'rita', reviewerPassword);
  for (const [i, id] of ids.entries()) {
    await page.goto(`/actions/${id}`);
    await page.getByLabel('Comment').fill(i < 2 ? 'matches the ledger' : 'not a duplicate');
    await page.getByRole('button', { name: i < 2 ? 'Approve' : 'Reject' }).click();
    await expect(page.getByRole('status')).toContainText(i < 2 ? 'approved' : 'rejected');
  }
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, 'mona', managerPassword);
  await page.goto(agentPage);
  const card = page.locator('[data-scorecard="finance.refund.issue"]');
  await expect(card.getByTestId('tier')).toHaveText('contributor');
  // Rates never stand alone: each says of how many cases, and its lower bound.
  const atTier = card.locator('tr', { hasText: 'At this tier' });
  await expect(atTier.locator('.rate-cell').first()).toHaveText('67% of 3 (≥ 20%)');
  await expect(atTier.locator('td.num').first()).toHaveText('3');
  // The next step lists what is missing, with numbers.
  const missing = card.getByTestId('missing');
  await expect(missing).toContainText('Not yet ready for executor');
  await expect(missing).toContainText('needs 197 more decided proposals (3 of 200)');
  await expect(missing).toContainText('approval lower bound 0.20 < 0.95 (n = 3)');
  await expect(missing).toContainText('needs 14 more days at this tier (0 of 14)');
  // The chart is an SVG from the server: this week's point, with its interval, and the tier mark.
  const chart = card.getByTestId('trend-chart');
  await expect(chart.locator('circle.chart-dot')).toHaveCount(1);
  await expect(chart.locator('circle.chart-dot title')).toHaveText(/: 67% of 3 \(≥ 20%\)$/);
  await expect(chart.locator('line.chart-interval')).toHaveCount(1);
  await expect(chart.locator('polygon.chart-band')).toHaveCount(0);
  await expect(chart.locator('line.chart-tier')).toHaveCount(1);
  await expect(card.locator('table.calibration tr', { hasText: '0.9–1' })).toContainText('67% of 3');
  await page.screenshot({ path: 'screenshots/45-track-record.png', fullPage: true });

  // The managers' promotion queue lists it with the first thing it lacks.
  await page.goto('/agents');
  const queue = page.locator('#promotion-queue');
  await expect(queue.locator('h2')).toHaveText('Ready to promote');
  await queue.locator('summary').click();
  const row = queue.locator('tr[data-queue="scored-bot:finance.refund.issue"]');
  await expect(row).toContainText('contributor → executor');
  await expect(row).toContainText('67% of 3 (≥ 20%)');
  await expect(row).toContainText('needs 197 more decided proposals (3 of 200)');
  await page.screenshot({ path: 'screenshots/46-promotion-queue.png', fullPage: true });
  await page.goto(agentPage);

  // At a phone's width the page itself never scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'screenshots/phone-track-record.png', fullPage: true });
});
