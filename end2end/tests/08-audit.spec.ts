// Compliance, JavaScript disabled: an admin (auditor rights) searches the trail for a phrase
// from an agent's reasoning, opens the action's timeline, downloads the JSONL export and the
// public key, and `tenure audit verify` passes on the file — and fails after one byte of it is
// changed.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adminPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
const bin = process.env.TENURE_BIN ?? resolve(__dirname, '../../target/debug/tenure');

function verify(file: string, key: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(bin, ['audit', 'verify', file, '--public-key', key]).toString() };
  } catch (e: any) {
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

test('the trail is exported and verified offline', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  await expect(page.locator('#checkpoints-table tbody tr').first()).toBeVisible();
  await page.getByLabel('Words').fill('was charged twice');
  await page.getByRole('button', { name: 'Search' }).click();
  const hit = page.locator('#audit-table tbody tr').filter({ hasText: 'payout-bot asked to finance.refund.issue' });
  await expect(hit).toHaveCount(1);
  await shot(page, '70-audit-search');
  await hit.locator('td.num a').click();
  await expect(page.getByTestId('hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('prev-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await shot(page, '71-audit-record');
  await page.getByRole('link', { name: "the action's timeline" }).click();
  await expect(page.locator('section:has(h2:text("Timeline")) tbody tr')).toHaveCount(5);
  await expect(page.locator('h1 [data-state]')).toHaveText('rolled back');
  await page.goto('/audit');

  const dir = mkdtempSync(join(tmpdir(), 'tenure-e2e-export-'));
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export the whole chain' }).click(),
  ]);
  const file = join(dir, exported.suggestedFilename());
  await exported.saveAs(file);
  const [pub] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download public key' }).click()]);
  const key = join(dir, pub.suggestedFilename());
  await pub.saveAs(key);

  const good = verify(file, key);
  expect(good.out).toContain('export intact');
  expect(good.ok).toBe(true);

  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('Refunded the wrong order');
  expect(at).toBeGreaterThan(0);
  writeFileSync(file, text.slice(0, at) + 'r' + text.slice(at + 1));
  const bad = verify(file, key);
  expect(bad.ok).toBe(false);
  expect(bad.out).toContain('export BROKEN');
});
