// Monitoring settings, JavaScript disabled: a manager switches a detector off and raises
// another's sensitivity; every grant's track record follows.
import { expect, test, type Page } from '@playwright/test';
import { managerPassword, signIn } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test('a manager tunes the detectors and the track records follow', async ({ page }) => {
  await signIn(page, 'mona', managerPassword);
  await page.goto('/agents');
  await page.getByRole('link', { name: 'Monitoring settings' }).click();
  const volume = page.locator('#detectors-table tr[data-detector="volume"]');
  await expect(volume).toContainText('Poisson test');
  await expect(volume).toContainText('the defaults');
  await volume.getByLabel('Request volume on').uncheck();
  await volume.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Request volume: off.');
  await expect(page.locator('#detectors-table tr[data-detector="volume"]')).toContainText('changed by mona');

  const rejection = page.locator('#detectors-table tr[data-detector="rejection_rate"]');
  await rejection.getByLabel('Rejection rate sensitivity').selectOption('high');
  await rejection.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Rejection rate: on, high sensitivity, alert only.');
  const failures = page.locator('#detectors-table tr[data-detector="failure_rate"]');
  await failures.getByLabel('Failed executions response').selectOption('suspend_grant');
  await failures.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Failed executions: on, normal sensitivity, alert and suspend the grant.');
  await expect(page.locator('#detectors-table tr[data-detector="failure_rate"] select[name="response"]')).toHaveValue('suspend_grant');
  await shot(page, '51-monitoring');

  // The track record of an agent from an earlier spec no longer judges volume.
  await page.goto('/agents');
  await page.getByRole('link', { name: 'scored-bot' }).click();
  const card = page.locator('[data-scorecard="finance.refund.issue"]');
  await expect(card.locator('tr[data-detector="Rejection rate"]')).toBeVisible();
  await expect(card.locator('tr[data-detector="Request volume"]')).toHaveCount(0);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/monitoring');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'phone-monitoring');
});
