// An automatic demotion, JavaScript disabled, on the demo organisation: drift-bot arrives with a
// quiet month of refunds and degrades two seconds in; the monitoring job (every two seconds here)
// demotes it and raises an alert. A manager finds the alert, reads its figures and chart, and
// undoes the demotion in one step; the grant is back at contributor.
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const port = process.env.TENURE_E2E_DEMO_PORT ?? '3181';
const base = `http://127.0.0.1:${port}`;
const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

let demo: ChildProcess;
let dataDir: string;
let output = '';

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tenure-e2e-demo-'));
  const bin = process.env.TENURE_TOOLS_BIN ?? resolve(__dirname, '../../target/debug/tenure-tools');
  const env = {
    ...process.env,
    TENURE_DATA_DIR: dataDir,
    TENURE_BIND: `127.0.0.1:${port}`,
    TENURE_MONITOR_EVERY_SECONDS: '2',
  };
  delete env.DATABASE_URL;
  delete env.TENURE_DATABASE_URL;
  demo = spawn(bin, ['demo', '--drift-after', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout?.on('data', (d) => { output += d; });
  demo.stderr?.on('data', (d) => { output += d; });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the demo did not start:\n${output}`)), 90_000);
    const poll = setInterval(() => {
      if (output.includes('drift-bot degrades after')) { clearInterval(poll); clearTimeout(timer); ok(); }
    }, 200);
    demo.on('exit', (code) => { clearInterval(poll); clearTimeout(timer); fail(new Error(`demo exited ${code}:\n${output}`)); });
  });
});

test.afterAll(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill('SIGTERM');
    await new Promise((r) => demo.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('a drifting agent is demoted on its own, explained, and a manager undoes it', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill('mona');
  await page.getByLabel('Password').fill('mona demo password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // The job runs every two seconds; wait for its alert (reloading, as a person would).
  await expect(async () => {
    await page.goto(`${base}/alerts?detector=rejection_rate`);
    await expect(page.locator('#alerts-table')).toContainText('drift-bot', { timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [2000] });
  const row = page.locator('#alerts-table tr', { hasText: 'drift-bot' }).first();
  await expect(row).toContainText('demoted the grant one tier');
  await expect(page.getByRole('link', { name: /Alerts/ }).first()).toBeVisible();
  await shot(page, '60-alerts');

  await row.getByRole('link', { name: 'Rejection rate' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Rejection rate');
  await expect(page.getByTestId('observed')).toContainText('rejected');
  await expect(page.locator('#alert-figures')).toContainText('binomial');
  await expect(page.getByTestId('alert-chart')).toBeVisible();
  await expect(page.getByTestId('chart-legend')).toContainText('the recent days that were judged');
  await expect(page.getByTestId('frozen')).toContainText('those of the monitoring pass that raised this alert');
  await expect(page.getByTestId('alert-did')).toContainText('demoted the grant one tier on its own');
  await expect(page.locator('#alert-causes tbody tr').first()).toContainText('rejected');
  await shot(page, '61-alert');

  // The agent's grant is at observer now.
  const alertUrl = page.url();
  await page.getByRole('link', { name: 'drift-bot' }).first().click();
  await expect(page.locator('[data-scorecard="finance.refund.issue"]')).toContainText('observer');

  // Undo needs a note; then the demotion is reversed once.
  await page.goto(alertUrl);
  await page.locator('#undo-form').getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('#undo-note')).toBeVisible();
  await page.locator('#undo-note').fill('The carrier data was wrong this morning; keep it at contributor while we look.');
  await page.locator('#undo-form').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status')).toContainText('The alert stays open until someone resolves it.');
  await expect(page.getByTestId('alert-undone')).toContainText('Undone by mona');
  await expect(page.locator('#undo-form')).toHaveCount(0);
  await shot(page, '62-alert-undone');
  await page.getByRole('link', { name: 'drift-bot' }).first().click();
  await expect(page.locator('[data-scorecard="finance.refund.issue"]')).toContainText('contributor');

  // Mona is a manager, not a reviewer: she acknowledges with a note, then resolves it from the
  // list with the alerts she ticks.
  await page.goto(alertUrl);
  await page.locator('#ack-note').fill('Checking the carrier feed with ops');
  await page.locator('#acknowledge-form').getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByRole('status')).toContainText('acknowledged');
  await expect(page.locator('#alert-response')).toContainText('Acknowledged by mona');
  await expect(page.locator('#alert-response')).toContainText('Checking the carrier feed with ops');
  const alertId = alertUrl.split('/').pop()!;
  await page.goto(`${base}/alerts?state=acknowledged`);
  await page.getByRole('button', { name: 'Resolve ticked' }).click();
  await expect(page.locator('.field-error[data-field="ids"]')).toContainText('select at least one alert');
  await page.getByLabel(`Select alert ${alertId}`).check();
  await page.getByRole('button', { name: 'Resolve ticked' }).click();
  await expect(page.locator('.field-error[data-field="note"]')).toBeVisible();
  await expect(page.getByLabel(`Select alert ${alertId}`)).toBeChecked();
  await shot(page, '63-alerts-bulk-refused');
  await page.locator('#bulk-note').fill('Carrier feed fixed; refunds rejected this morning were the feed, not the agent');
  await page.getByRole('button', { name: 'Resolve ticked' }).click();
  await expect(page.getByRole('status')).toContainText('1 alert(s) resolved.');
  await page.goto(alertUrl);
  await expect(page.getByTestId('alert-resolved')).toContainText('Resolved by mona');
  await page.getByRole('link', { name: 'drift-bot' }).first().click();
  await expect(page.getByTestId('quiet-detectors')).toContainText('quiet until');
  await shot(page, '64-agent-quiet-detector');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(alertUrl);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'phone-alert');
  await page.goto(`${base}/alerts`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'phone-alerts');
});
