// Notifications, JavaScript disabled: an admin subscribes local receivers (signed JSON and a
// Slack-style message), sends a test and checks its signature, watches a failing receiver's
// delivery become a dead letter, sends it again once the receiver is back, pauses and removes.
import { expect, test, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

type Hit = { path: string; headers: IncomingHttpHeaders; body: string };

/** A local receiver: `/down` answers 500 while `down` is set, everything else 204. */
function receiver() {
  const hits: Hit[] = [];
  const state = { down: true };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = req.url === '/down' && state.down ? 500 : 204;
      res.end(res.statusCode === 500 ? 'ledger service unavailable' : '');
    });
  });
  return { hits, state, server };
}

async function waitFor<T>(what: () => T | undefined, seconds = 15): Promise<T> {
  for (let i = 0; i < seconds * 10; i++) {
    const v = what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('waited in vain');
}

test('an admin subscribes receivers, checks a signed test, and sends a dead letter again', async ({ page }) => {
  const r = receiver();
  await new Promise<void>((ok) => r.server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
  try {
    await signIn(page, 'admin', adminPassword);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Notifications' }).click();
    await expect(page.locator('#no-subscriptions')).toBeVisible();

    // A mistake is named next to its field, and what was typed stays.
    const form = page.locator('#add-subscription');
    await form.getByLabel('Name').fill('Finance reviewers');
    await form.getByLabel('URL').fill('ftp://example.org/hook');
    await form.getByLabel('Approval requested').uncheck();
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await expect(page.locator('.field-error[data-field="url"]')).toContainText('must start with https:// or http://');
    await expect(form.getByLabel('Name')).toHaveValue('Finance reviewers');
    await expect(form.getByLabel('Approval requested')).not.toBeChecked();
    await expect(form.getByLabel('Alert raised')).toBeChecked();

    await form.getByLabel('URL').fill(`${base}/ok`);
    await form.getByLabel('Approval requested').check();
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await expect(page.getByTestId('notice')).toContainText('Finance reviewers is subscribed');
    const secret = (await page.getByTestId('new-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await shot(page, '60-notifications-secret');
    await page.reload();
    await expect(page.getByTestId('new-secret')).toHaveCount(0);

    // A test reaches the receiver, signed with that secret.
    const card = page.locator('[data-subscription="Finance reviewers"]');
    await card.getByRole('button', { name: 'Send a test' }).click();
    await expect(page.getByTestId('notice')).toContainText('Test queued');
    const hit = await waitFor(() => r.hits.find((h) => h.path === '/ok'));
    const stamp = hit.headers['x-tenure-timestamp'] as string;
    const expected = 'v1=' + createHmac('sha256', secret).update(`${stamp}.${hit.body}`).digest('hex');
    expect(hit.headers['x-tenure-signature']).toBe(expected);
    expect(JSON.parse(hit.body).kind).toBe('test');
    await page.reload();
    await expect(page.locator('[data-subscription="Finance reviewers"] .delivery-counts')).toHaveText('1 of 1 delivered, 0 pending, 0 dead');

    // A Slack-style subscription gets a message with a link into the console.
    await form.getByLabel('Name').fill('Ops channel');
    await form.getByLabel('URL').fill(`${base}/slack`);
    await form.getByLabel('Format').selectOption('slack');
    await form.getByLabel('Lowest risk').selectOption('high');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('[data-subscription="Ops channel"]').getByRole('button', { name: 'Send a test' }).click();
    const slack = await waitFor(() => r.hits.find((h) => h.path === '/slack'));
    const message = JSON.parse(slack.body);
    expect(message.text).toContain('Test');
    expect(message.blocks[1].elements[0].url).toMatch(/\/notifications$/);
    expect(slack.headers['x-tenure-signature']).toBeUndefined();

    // A receiver that keeps failing: tried again, then a dead letter with its last answer.
    await form.getByLabel('Name').fill('Ledger bridge');
    await form.getByLabel('URL').fill(`${base}/down`);
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('[data-subscription="Ledger bridge"]').getByRole('button', { name: 'Send a test' }).click();
    await waitFor(() => (r.hits.filter((h) => h.path === '/down').length >= 2 ? true : undefined));
    await page.waitForTimeout(500);
    await page.getByRole('navigation', { name: 'Deliveries' }).getByRole('link', { name: 'Dead letters' }).click();
    const dead = page.locator('#deliveries-table tr[data-state="dead"]');
    await expect(dead).toHaveCount(1);
    await expect(dead).toContainText('Ledger bridge');
    await expect(dead).toContainText('the receiver answered 500 Internal Server Error');
    await expect(dead).not.toContainText('ledger service unavailable');
    await expect(dead).toContainText('2 attempts');
    await expect(page.locator('[data-subscription="Ledger bridge"] .delivery-counts')).toHaveText('0 of 1 delivered, 0 pending, 1 dead');
    await shot(page, '61-notifications-dead-letter');

    // The receiver is back: sent again, it arrives.
    r.state.down = false;
    await dead.getByRole('button', { name: 'Redeliver' }).click();
    await expect(page.getByTestId('notice')).toContainText('queued to be sent again');
    await waitFor(() => (r.hits.filter((h) => h.path === '/down').length >= 3 ? true : undefined));
    await page.waitForTimeout(500);
    await page.goto('/notifications?state=delivered');
    await expect(page.locator('#deliveries-table tr[data-state="delivered"]', { hasText: 'Ledger bridge' })).toHaveCount(1);

    // Paused, then removed.
    await page.locator('[data-subscription="Ops channel"]').getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('notice')).toContainText('Ops channel is paused');
    await expect(page.locator('[data-subscription="Ops channel"] .badge')).toHaveText('paused');
    await page.locator('[data-subscription="Ledger bridge"]').getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('notice')).toContainText('Ledger bridge was removed');
    await expect(page.locator('[data-subscription="Ledger bridge"]')).toHaveCount(0);
    await shot(page, '62-notifications');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/notifications');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'phone-notifications');
  } finally {
    r.server.close();
  }
});

test('people who are not admins cannot open notifications', async ({ page }) => {
  await signIn(page, 'mona', 'manager password of mine');
  const res = await page.goto('/notifications');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Notifications' })).toHaveCount(0);
});
