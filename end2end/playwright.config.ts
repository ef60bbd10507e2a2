import { defineConfig } from '@playwright/test';

// Debian's Chromium, JavaScript disabled: every page must work as plain server-rendered HTML.
export default defineConfig({
  testDir: './tests',
  globalSetup: './server.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${process.env.TENURE_E2E_PORT ?? '3180'}`,
    javaScriptEnabled: false,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
