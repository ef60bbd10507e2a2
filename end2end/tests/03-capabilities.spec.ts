// A manager defines a capability (the schema error shown by its field first), then edits it.
import { expect, test, type Page } from '@playwright/test';
import { managerPassword } from './people';

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

test('the manager defines and edits a capability', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill('mona');
  await page.getByLabel('Password').fill(managerPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Capabilities' }).click();
  // The built-in catalogue is there from the first start.
  await expect(page.locator('tr[data-capability="finance.refund.issue"]')).toContainText('high');

  await page.getByLabel('Name', { exact: true }).fill('billing.credit.issue');
  await page.getByLabel('Description').fill('Refund a customer payment');
  await page.getByLabel('Risk').selectOption('high');
  await page.getByLabel('Undo window (minutes)').fill('1440');
  await page.getByLabel('Params JSON Schema (optional)').fill('{"type": "object", "required": ["amount"');
  await page.getByRole('button', { name: 'Define capability' }).click();
  await expect(page.locator('[data-field="params_schema"]')).toContainText('not valid JSON');
  await shot(page, '20-capability-error');

  await page.getByLabel('Name', { exact: true }).fill('billing.credit.issue');
  await page.getByLabel('Description').fill('Refund a customer payment');
  await page.getByLabel('Risk').selectOption('high');
  await page.getByLabel('Undo window (minutes)').fill('1440');
  await page.getByLabel('Params JSON Schema (optional)').fill('{"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number", "minimum": 0}}}');
  await page.getByRole('button', { name: 'Define capability' }).click();
  await expect(page.getByRole('status')).toContainText('billing.credit.issue added to the catalogue');
  const row = page.locator('tr[data-capability="billing.credit.issue"]');
  await expect(row).toContainText('high');
  await expect(row).toContainText('1440 min');

  await row.getByRole('link', { name: 'Edit' }).click();
  const edit = page.locator('#edit-capability');
  await expect(edit.getByLabel('Params JSON Schema (optional)')).toHaveValue(/"minimum": 0/);
  await edit.getByLabel('Risk').selectOption('medium');
  await shot(page, '21-capability-edit');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Capability billing.credit.issue changed');
  await expect(row).toContainText('medium');
  await shot(page, '22-capabilities');
});
