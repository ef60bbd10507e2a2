// Starts a real Tenure on a fresh SQLite database for the suite, reads the first admin's
// one-time password from its console output, and stops it afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export default async function globalSetup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenure-e2e-'));
  const port = process.env.TENURE_E2E_PORT ?? '3180';
  const bin = process.env.TENURE_BIN ?? resolve(__dirname, '../target/debug/tenure');
  // Failed notifications are tried again after 1 s and dead after two attempts, so the
  // notifications spec sees a dead letter within seconds.
  const env = {
    ...process.env,
    TENURE_DATA_DIR: dataDir,
    TENURE_BIND: `127.0.0.1:${port}`,
    TENURE_WEBHOOK_RETRY_SECONDS: '1',
    TENURE_WEBHOOK_MAX_ATTEMPTS: '2',
  };
  delete env.DATABASE_URL;
  delete env.TENURE_DATABASE_URL;
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const password = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no admin password printed:\n${output}`)), 60_000);
    child.stdout.on('data', (d) => {
      output += d;
      const m = output.match(/password:\s+(\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => fail(new Error(`tenure exited with ${code}:\n${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.TENURE_ADMIN_PASSWORD = password;
  writeFileSync(join(dataDir, 'e2e-admin-password'), password);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
