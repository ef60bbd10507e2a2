// Two agents check each other, JavaScript disabled: the manager asks for a peer check in the
// template, the primary proposes a refund, the peer independently proposes another amount,
// the reviewer sees both side by side, picks the peer's, and the primary's long-poll returns
// approved with the peer's amount.
import { expect, test, type Page } from '@playwright/test';
import { chooseGrant, managerPassword, reviewerPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

async function register(page: Page, name: string): Promise<string> {
  await page.goto('/agents');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Purpose').fill(`${name} for the peer-check test`);
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  return (await page.getByTestId('new-key').textContent())!.trim();
}

test('a peer disagrees on the amount and the reviewer picks the peer', async ({ page, request }) => {
  await signIn(page, 'mona', managerPassword);
  const peerKey = await register(page, 'check-bot');

  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('link', { name: 'EU refunds' }).click();
  const rule = page.locator('details[data-rule="finance.refund.issue"]');
  await rule.locator('summary').click();
  await rule.getByLabel('Peer check', { exact: true }).selectOption('always');
  await rule.getByLabel('Peer pool (agent names)').fill('ghost-bot');
  await rule.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.locator('[data-field="finance.refund.issue/peer_pool"]')).toContainText("'ghost-bot' is not a registered agent");
  const again = page.locator('details[data-rule="finance.refund.issue"]');
  await again.getByLabel('Peer check', { exact: true }).selectOption('always');
  await again.getByLabel('Peer pool (agent names)').fill('check-bot');
  await again.getByLabel('Numeric tolerances').fill('amount: 0.5');
  await again.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 3');
  await expect(page.locator('details[data-rule="finance.refund.issue"] summary')).toContainText('peer check always, by check-bot');
  await shot(page, '60-template-peer-check');

  const primaryKey = await register(page, 'primary-bot');
  await chooseGrant(page, 'EU refunds (v3)', 'finance.refund.issue');
  await page.getByLabel('Tier', { exact: true }).selectOption('executor');
  await page.getByLabel('Justification').fill('Granted directly for this end-to-end test');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue');
  await page.getByRole('button', { name: 'Sign out' }).click();

  const primary = { Authorization: `Bearer ${primaryKey}` };
  const asked = await (await request.post('/v1/actions', {
    headers: primary,
    data: {
      capability: 'finance.refund.issue',
      params: { order_id: 'A-300', amount: 120, currency: 'EUR', reason: 'duplicate charge' },
      reasoning: 'Two payments of 120 EUR for order A-300.',
      confidence: 0.93,
      inputs: { order: 'A-300', payments: ['P-1', 'P-2'] },
      task_ref: 'ticket-300',
    },
  })).json();
  expect(asked.decision).toBe('awaiting_peer');
  // The primary waits, as a real agent would, until a decision it can act on arrives.
  const waiting = (async () => {
    for (;;) {
      const res = await request.get(`/v1/actions/${asked.id}?wait=45`, { headers: primary, timeout: 60_000 });
      const answer = await res.json();
      if (answer.state !== 'awaiting_peer' && answer.state !== 'needs_approval') return answer;
    }
  })();

  const peer = { Authorization: `Bearer ${peerKey}` };
  const next = await (await request.get('/v1/peer-checks/next?wait=10', { headers: peer })).json();
  expect(next.task.task_ref).toBe('ticket-300');
  expect(JSON.stringify(next)).not.toContain('120');
  expect(JSON.stringify(next)).not.toContain('Two payments');
  const verdict = await request.post(`/v1/peer-checks/${next.task.id}/verdict`, {
    headers: peer,
    data: {
      decision: 'proceed',
      params: { order_id: 'A-300', amount: 80, currency: 'EUR', reason: 'duplicate charge' },
      reasoning: 'Only 80 EUR of the second payment cleared; refund what was taken.',
      confidence: 0.88,
    },
  });
  expect(verdict.status()).toBe(200);

  await signIn(page, 'rita', reviewerPassword);
  await page.goto('/inbox');
  await page.getByRole('link', { name: /Peer disagreements/ }).click();
  const item = page.locator(`article[data-action="${asked.id}"]`);
  await expect(item.locator('tr[data-field="amount"]')).toHaveClass('diff');
  await expect(item.locator('tr[data-field="amount"]')).toContainText('120');
  await expect(item.locator('tr[data-field="amount"]')).toContainText('80');
  await expect(item.locator('tr[data-field="currency"]')).not.toHaveClass('diff');
  await expect(item).toContainText('Only 80 EUR of the second payment cleared');
  await expect(item).toContainText('Two payments of 120 EUR');
  await shot(page, '61-inbox-peer-disagreement');
  await item.getByLabel("check-bot's analysis").check();
  await item.getByLabel('Comment').fill('The peer read the ledger right');
  await item.getByRole('button', { name: 'Decide' }).click();
  await expect(page.getByRole('status')).toContainText('1 action approved');

  const approved = await waiting;
  expect(approved.state).toBe('approved');
  expect(approved.params.amount).toBe(80);

  await page.goto(`/actions/${asked.id}`);
  await expect(page.locator('section:has(h2:text("Timeline"))')).toContainText('chose the peer');
  // Both proposals stay visible after the choice, with which went ahead, by whom and why.
  const settled = page.getByTestId('peer-resolution');
  await expect(settled).toContainText("check-bot's analysis went ahead");
  await expect(settled).toContainText('chosen by rita');
  await expect(settled.locator('blockquote')).toHaveText('The peer read the ledger right');
  await expect(settled.locator('tr[data-field="amount"] td').nth(0)).toHaveText('120');
  await expect(settled.locator('tr[data-field="amount"] td').nth(1)).toHaveText('80');
  await expect(settled.locator('th[data-side="peer"]')).toContainText('chosen');
  await expect(settled).toContainText('Two payments of 120 EUR');
  await expect(page.getByTestId('params-from-peer')).toContainText("check-bot's analysis, chosen by rita");
  await shot(page, '62-action-peer-resolved');
  await page.getByRole('button', { name: 'Sign out' }).click();
});

test('a grant moves to the newest version of its template without being revoked', async ({ page }) => {
  // refund-bot was granted refunds from EU refunds v2; the peer-check test saved v3.
  await signIn(page, 'mona', managerPassword);
  await page.goto('/agents');
  await page.getByRole('link', { name: 'refund-bot' }).click();
  const grant = page.locator('tr[data-grant="finance.refund.issue"]');
  await expect(grant).toContainText('EU refunds v2');
  const tier = (await grant.getByTestId('tier').textContent())!.trim();
  await grant.getByRole('button', { name: 'Move to v3' }).click();
  await expect(page.getByRole('status')).toContainText('finance.refund.issue now follows EU refunds v3');
  const moved = page.locator('tr[data-grant="finance.refund.issue"]');
  await expect(moved).toContainText('EU refunds v3');
  await expect(moved.getByTestId('tier')).toHaveText(tier);
  await expect(moved.getByRole('button', { name: /Move to/ })).toHaveCount(0);
  // The move is in the agent's history with what changed for the capability.
  await expect(page.locator('body')).toContainText('moved finance.refund.issue from EU refunds v2 to v3 (peer_check changed)');
  await shot(page, '63-grant-moved');
});
