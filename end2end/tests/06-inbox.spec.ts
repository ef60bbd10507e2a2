// Humans in control, JavaScript disabled: an agent asks, a reviewer approves in the inbox, the
// agent's long-poll returns, it reports success, the reviewer rolls it back, and the agent
// fetches the rollback and reports it done. Then a shadow case recorded by the reviewer.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { chooseGrant, managerPassword, reviewerPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

async function agentWithGrant(page: Page, name: string, tier: string): Promise<string> {
  await page.goto('/agents');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Purpose').fill(`${name} for the inbox test`);
  await page.getByLabel('Environment').selectOption('production');
  await page.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();
  await chooseGrant(page, 'EU refunds (v2)', 'finance.refund.issue');
  await page.getByLabel('Tier', { exact: true }).selectOption(tier);
  await page.getByLabel('Justification').fill('Granted directly for this end-to-end test');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('status')).toContainText('Granted finance.refund.issue');
  return key;
}

const ask = (request: APIRequestContext, key: string, amount: number, reasoning: string) =>
  request.post('/v1/actions', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      capability: 'finance.refund.issue',
      params: { order_id: 'A-77', amount, currency: 'EUR', reason: 'duplicate charge' },
      reasoning,
      confidence: 0.91,
      inputs: { payments: ['P-1', 'P-2'] },
      alternatives: ['store credit'],
      task_ref: 'ticket-77',
    },
  });

test('approve in the inbox, execute, roll back — and a shadow case', async ({ page, request }) => {
  await signIn(page, 'mona', managerPassword);
  const key = await agentWithGrant(page, 'payout-bot', 'contributor');
  const trialKey = await agentWithGrant(page, 'trial-refunds', 'observer');
  await page.getByRole('button', { name: 'Sign out' }).click();

  const asked = await (await ask(request, key, 42.5, 'Order A-77 was charged twice <b>yesterday</b>.')).json();
  expect(asked.decision).toBe('needs_approval');
  const auth = { Authorization: `Bearer ${key}` };
  // The agent waits for the decision while the reviewer works.
  const waiting = request.get(`/v1/actions/${asked.id}?wait=45`, { headers: auth, timeout: 60_000 });

  await signIn(page, 'rita', reviewerPassword);
  await expect(page.getByTestId('inbox-count')).toHaveText(/^[1-9]\d*$/);
  await page.getByRole('link', { name: /^Inbox/ }).click();
  const item = page.locator(`article[data-action="${asked.id}"]`);
  await expect(item).toContainText('Order A-77 was charged twice <b>yesterday</b>.');
  await expect(item).toContainText('42.5');
  await expect(item).toContainText('contributor tier');
  await expect(item).toContainText('store credit');
  // Beside the item, where the agent stands with the capability: granted at contributor with
  // a justification (an override), nothing decided yet.
  const standing = item.getByTestId('standing');
  await expect(standing).toContainText('contributor');
  await expect(standing).toContainText('approval — (no cases)');
  await expect(standing).toContainText('few cases');
  await expect(standing.getByTestId('by-override')).toHaveText('tier by override');
  await shot(page, '50-inbox-needs-approval');
  await standing.getByRole('link', { name: 'track record' }).click();
  await expect(page.locator('#track-record')).toBeVisible();
  await page.goBack();
  await item.getByLabel('Comment').fill('Matches the payment ledger');
  await item.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status')).toContainText('1 action approved');
  await expect(page.locator(`article[data-action="${asked.id}"]`)).toHaveCount(0);

  const approved = await (await waiting).json();
  expect(approved.state).toBe('approved');
  expect(approved.params.amount).toBe(42.5);

  const done = await request.post(`/v1/actions/${asked.id}/result`, {
    headers: auth,
    data: { status: 'succeeded', output: { refund_id: 'R-77' }, undo: { refund_id: 'R-77' } },
  });
  expect((await done.json()).state).toBe('reversible');

  await page.goto(`/actions/${asked.id}`);
  await expect(page.locator('h1 [data-state]')).toHaveText('reversible');
  await shot(page, '51-action-reversible');
  await page.getByLabel('Reason for rolling back').fill('Refunded the wrong order');
  await page.getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByRole('status')).toContainText('Rollback requested for 1 action');
  await expect(page.locator('h1 [data-state]')).toHaveText('rollback requested');

  const pending = await (await request.get('/v1/rollbacks?wait=10', { headers: auth })).json();
  expect(pending.rollbacks).toHaveLength(1);
  expect(pending.rollbacks[0].undo.refund_id).toBe('R-77');
  expect(pending.rollbacks[0].reason).toBe('Refunded the wrong order');
  const undone = await request.post(`/v1/actions/${asked.id}/rollback-result`, {
    headers: auth,
    data: { status: 'rolled_back', output: { reverted: 'R-77' } },
  });
  expect((await undone.json()).state).toBe('rolled_back');

  await page.reload();
  await expect(page.locator('h1 [data-state]')).toHaveText('rolled back');
  const timeline = page.locator('section:has(h2:text("Timeline")) tbody tr');
  await expect(timeline).toHaveCount(5);
  await expect(timeline.nth(1)).toContainText('rita approved');
  await expect(timeline.nth(4)).toContainText('payout-bot rolled back');
  await shot(page, '52-action-rolled-back');

  // Several at once: tick two, approve with one comment.
  const a = await (await ask(request, key, 10, 'First of two duplicates')).json();
  const b = await (await ask(request, key, 11, 'Second of two duplicates')).json();
  await page.goto('/inbox');
  await page.locator(`article[data-action="${a.id}"] input.tick`).check();
  await page.locator(`article[data-action="${b.id}"] input.tick`).check();
  await page.getByLabel('Decide the ticked actions with one comment').fill('Both duplicates, checked');
  await page.getByRole('button', { name: 'Approve ticked' }).click();
  await expect(page.getByRole('status')).toContainText('2 actions approved');

  // A shadow case: the observer recommends, the reviewer records what she would do.
  const shadow = await (await ask(request, trialKey, 60, 'Recommend refunding the full amount')).json();
  expect(shadow.decision).toBe('shadow');
  await page.getByRole('link', { name: /Shadow — record your decision/ }).click();
  const card = page.locator(`article[data-action="${shadow.id}"]`);
  // Blind review: the agent's recommendation is not shown (nor sent) until she has decided;
  // nothing is chosen for her and the params hold only their names.
  await expect(card.getByTestId('blind')).toContainText('Blind review');
  await expect(card).not.toContainText('Recommend refunding the full amount');
  expect(await page.content()).not.toContain('Recommend refunding the full amount');
  await expect(card.getByLabel('Approve', { exact: true })).not.toBeChecked();
  await expect(card.getByLabel('Reject', { exact: true })).not.toBeChecked();
  const params = card.getByLabel('Params you would use (fill in the values; not needed to reject)');
  await expect(params).toHaveValue(/"amount": null/);
  await shot(page, '53-inbox-shadow');
  // Approving with the names alone (no values of her own) is refused, and what she chose stays.
  await card.getByLabel('Approve', { exact: true }).check();
  await card.getByRole('button', { name: 'Record my decision' }).click();
  await expect(page.locator(`.field-error[data-field="${shadow.id}/params"]`)).toContainText('null is not of type');
  await expect(card.getByLabel('Approve', { exact: true })).toBeChecked();
  await params.fill('{"order_id": "A-77", "amount": 30, "currency": "EUR", "reason": "duplicate charge"}');
  await card.getByLabel('Comment (optional)').fill('Half was already credited');
  await card.getByRole('button', { name: 'Record my decision' }).click();
  await expect(page.getByRole('status')).toContainText('you would act, with different params');
  // Now the agent's recommendation is shown beside her decision.
  await page.goto(`/actions/${shadow.id}`);
  await expect(page.getByTestId('agreement')).toHaveText('different params');
  await expect(page.locator('body')).toContainText('Recommend refunding the full amount');
  await shot(page, '54-shadow-compared');
});
