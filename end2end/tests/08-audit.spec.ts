// Compliance, JavaScript disabled: an admin (auditor rights) searches the trail for a phrase
// from an agent's reasoning, opens the action's timeline, exports the whole chain as JSONL
// (the export's page reloads itself until the file is ready), downloads it and the public key,
// and `tenure audit verify` passes on the file — and fails after one byte of it is changed. The
// search's hits exported as CSV verify against their manifest.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adminPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
const bin = process.env.TENURE_BIN ?? resolve(__dirname, '../../target/debug/tenure');

function verify(file: string, key: string, manifest?: string): { ok: boolean; out: string } {
  const args = ['audit', 'verify', file, '--public-key', key, ...(manifest ? ['--manifest', manifest] : [])];
  try {
    return { ok: true, out: execFileSync(bin, args).toString() };
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
  // The words match in any order; the kinds present are choices; the count says how many.
  await page.getByLabel('Words').fill('twice charged was');
  await page.getByLabel('Kind').selectOption('action.decided');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(hit).toHaveCount(1);
  await expect(page.getByTestId('matches')).toHaveText(/^\d+ records?$/);
  await expect(page.locator('#audit-table tbody tr')).toHaveCount(Number((await page.getByTestId('matches').innerText()).split(' ')[0]));
  await shot(page, '70-audit-search');
  await page.getByLabel('Words').fill('was charged twice');
  await page.getByLabel('Kind').selectOption('');
  await page.getByRole('button', { name: 'Search' }).click();
  // The hits as CSV: prepared, then downloaded with their manifest.
  await page.getByRole('button', { name: 'as CSV' }).click();
  await expect(page).toHaveURL(/\/audit\/exports\/\d+$/);
  await expect(page.locator('[data-status="ready"]')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('words "was charged twice"')).toBeVisible();
  const csvDir = mkdtempSync(join(tmpdir(), 'tenure-e2e-csv-'));
  const save = async (name: string | RegExp) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    const f = join(csvDir, d.suggestedFilename());
    await d.saveAs(f);
    return f;
  };
  const csv = await save(/^Download tenure-evidence-.*\.csv$/);
  const manifest = await save('Download the manifest');
  const csvKey = await save('Public key');
  expect(readFileSync(csv, 'utf8')).toContain('was charged twice');
  const csvOk = verify(csv, csvKey, manifest);
  expect(csvOk.out).toMatch(/export intact: \d+ records/);
  expect(csvOk.ok).toBe(true);
  await page.goBack();
  await hit.locator('td.num a').click();
  await expect(page.getByTestId('hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('prev-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await shot(page, '71-audit-record');
  await page.getByRole('link', { name: "the action's timeline" }).click();
  await expect(page.locator('section:has(h2:text("Timeline")) tbody tr')).toHaveCount(5);
  await expect(page.locator('h1 [data-state]')).toHaveText('rolled back');
  await page.goto('/audit');

  const dir = mkdtempSync(join(tmpdir(), 'tenure-e2e-export-'));
  const [pub] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download public key' }).click()]);
  const key = join(dir, pub.suggestedFilename());
  await pub.saveAs(key);
  await page.getByRole('button', { name: 'Export the whole chain' }).click();
  await expect(page).toHaveURL(/\/audit\/exports\/\d+$/);
  await expect(page.locator('[data-status="ready"]')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('every record')).toBeVisible();
  await shot(page, '72-audit-export');
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /^Download tenure-evidence-.*\.jsonl$/ }).click(),
  ]);
  const file = join(dir, exported.suggestedFilename());
  await exported.saveAs(file);

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
