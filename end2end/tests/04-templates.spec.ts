// A manager copies a built-in template, tightens one rule (a field error first), and compares
// the two versions side by side — JavaScript disabled.
import { expect, test, type Page } from '@playwright/test';
import { managerPassword } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test('the manager copies a template and makes a new version', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill('mona');
  await page.getByLabel('Password').fill(managerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Templates' }).click();
  await expect(page.locator('[data-template]')).toHaveCount(3);
  await shot(page, '30-templates');

  const card = page.locator('[data-template="Finance analysis and refunds"]');
  await card.getByLabel('Copy as').fill('EU refunds');
  await card.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('heading', { name: /EU refunds/ })).toBeVisible();
  await expect(page.getByTestId('shown-version')).toHaveText('v1');

  const rule = page.locator('details[data-rule="finance.refund.issue"]');
  await rule.locator('summary').click();
  await rule.getByLabel('Numeric limits').fill('amount < 50');
  await rule.getByRole('button', { name: 'Save as new version' }).click();
  // The error shows inside the rule that was edited, which stays open.
  await expect(page.locator('details[data-rule="finance.refund.issue"] [data-field="finance.refund.issue/limits"]')).toContainText('should look like amount <= 500');
  await expect(page.locator('[data-field="add/limits"]')).toHaveCount(0);
  // What was typed comes back, not the saved rule.
  await expect(rule.getByLabel('Numeric limits')).toHaveValue('amount < 50');
  await shot(page, '31-template-error');

  const again = page.locator('details[data-rule="finance.refund.issue"]');
  await again.getByLabel('Numeric limits').fill('amount <= 50');
  await again.getByLabel('Max per hour, per agent').fill('3');
  await again.getByLabel('Condition (Cedar, optional)').fill('context.params.currency == "EUR" &&');
  await again.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.locator('[data-field="finance.refund.issue/condition"]')).toContainText('not a valid Cedar expression');
  await expect(again.getByLabel('Numeric limits')).toHaveValue('amount <= 50');
  await expect(again.getByLabel('Max per hour, per agent')).toHaveValue('3');
  await expect(again.getByLabel('Condition (Cedar, optional)')).toHaveValue('context.params.currency == "EUR" &&');
  // The add form is not refilled with another form's values.
  await expect(page.locator('#add-limits')).toHaveValue('');
  await again.getByLabel('Condition (Cedar, optional)').fill('context.params.currency == "EUR"');
  await again.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 2');
  await expect(page.getByTestId('shown-version')).toHaveText('v2');
  // Once saved, a reload shows the saved rule (nothing kept lingers).
  await page.reload();
  await expect(page.locator('details[data-rule="finance.refund.issue"]').getByLabel('Condition (Cedar, optional)')).toHaveValue('context.params.currency == "EUR"');

  await page.getByLabel('From').fill('1');
  await page.getByLabel('to', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Compare' }).click();
  const cmp = page.locator('#compare-table');
  await expect(cmp).toContainText('amount <= 200');
  await expect(cmp).toContainText('amount <= 50');
  await expect(cmp).toContainText('max_per_hour');
  await expect(cmp).toContainText('context.params.currency == "EUR"');
  await shot(page, '32-template-compare');
});
