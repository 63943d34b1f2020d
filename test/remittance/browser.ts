/**
 * The remittance UI in headless Chromium (the system's: Debian package chromium, or
 * CHROMIUM_PATH), driven by playwright-core, against the local run: the built UI, the
 * real API handlers, the real runbooks, a replicating PostgreSQL server per Region. Signs
 * in with the local stand-in, creates, lists, edits and deletes remittances, sees a 400's
 * reason, switches over to the other Region with the Operations buttons following the
 * runbook's real steps, sees a refusal, impairs the writer's Region, fails over, restores
 * the lost Region and fails back.
 *
 *   npm run example:browser-test     (builds the UI first)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { LocalServer } from '../../examples/remittance/local/server';

const EMAIL = 'operator@example.com';
const PASSWORD = 'Browser-test-1!';

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`no Chromium found (looked at ${candidates.join(', ')}): install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  return found;
}

async function step(name: string, work: () => Promise<void>): Promise<void> {
  const start = Date.now();
  await work();
  console.log(`  ✓ ${name} (${Date.now() - start} ms)`);
}

async function rows(page: Page): Promise<string[]> {
  return page.locator('[data-testid=remittance-row]').allInnerTexts();
}

async function main(): Promise<void> {
  const server = await LocalServer.start({ port: 0, uiDist: path.join(__dirname, '../../examples/remittance/ui/dist'), email: EMAIL, password: PASSWORD });
  let browser: Browser | undefined;
  const page = async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // This machine has no route to Google's services: keep Chromium from calling them.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const p = await browser.newPage();
    p.setDefaultTimeout(15_000);
    const problems: string[] = [];
    p.on('pageerror', (e) => problems.push(e.message));
    return { p, problems };
  };
  try {
    console.log(`UI at ${server.url}, Chromium at ${chromiumPath()}`);
    const { p, problems } = await page();

    await step('a wrong password is refused with Cognito\'s message', async () => {
      await p.goto(server.url);
      await p.fill('input[name=email]', EMAIL);
      await p.fill('input[name=password]', 'not-the-password');
      await p.click('button[type=submit]');
      await p.getByRole('alert').filter({ hasText: 'Incorrect username or password.' }).waitFor();
    });

    await step('signs in', async () => {
      await p.fill('input[name=password]', PASSWORD);
      await p.click('button[type=submit]');
      await p.locator('[data-testid=remittance-form]').waitFor();
      await p.getByText('No remittances yet.').waitFor();
      assert.match(await p.locator('[data-testid=served-by]').innerText(), /us-east-1/);
      // Every request is listed with the Region that served it.
      assert.match((await p.locator('[data-testid=request-row]').first().innerText()), /GET \/api\/remittances\s+200\s+us-east-1/);
    });

    const create = async (sender: string, recipient: string, amount: string, currency: string, note = '') => {
      const form = p.locator('[data-testid=remittance-form]');
      await form.locator('input[name=sender]').fill(sender);
      await form.locator('input[name=recipient]').fill(recipient);
      await form.locator('input[name=amount]').fill(amount);
      await form.locator('input[name=currency]').fill(currency);
      await form.locator('input[name=note]').fill(note);
      await form.locator('button[type=submit]').click();
    };

    await step('creates two remittances and lists them, newest first', async () => {
      await create('Alice', 'Bob', '125.5', 'EUR', 'rent');
      await p.locator('[data-testid=remittance-row]', { hasText: 'Bob' }).waitFor();
      await create('Alice', 'Carol', '40', 'USD');
      await p.locator('[data-testid=remittance-row]', { hasText: 'Carol' }).waitFor();
      const listed = await rows(p);
      assert.strictEqual(listed.length, 2);
      assert.match(listed[0], /Carol\s+40\.00 USD/);
      assert.match(listed[1], /Bob\s+125\.50 EUR\s+rent\s+us-east-1/);
    });

    await step('bad input gets the API\'s reason, and nothing is created', async () => {
      await create('Alice', 'Dan', '12.345', 'EUR');
      await p.getByRole('alert').filter({ hasText: "'amount' must be a positive amount with at most 2 decimals" }).waitFor();
      assert.strictEqual((await rows(p)).length, 2);
    });

    await step('edits a remittance', async () => {
      await p.locator('[data-testid=remittance-row]', { hasText: 'Carol' }).getByRole('button', { name: 'Edit' }).click();
      const form = p.locator('[data-testid=remittance-form]');
      await form.locator('input[name=amount]').fill('45.10');
      await form.getByRole('button', { name: 'Save' }).click();
      await p.locator('[data-testid=remittance-row]', { hasText: '45.10 USD' }).waitFor();
    });

    await step('deletes a remittance', async () => {
      await p.locator('[data-testid=remittance-row]', { hasText: 'Carol' }).getByRole('button', { name: 'Delete' }).click();
      await p.locator('[data-testid=remittance-row]', { hasText: 'Carol' }).waitFor({ state: 'detached' });
      assert.strictEqual((await rows(p)).length, 1);
    });

    const SWITCHOVER_STEPS = ['Preflight', 'Approve', 'PrepareTarget', 'WaitForInstance', 'SwitchoverGlobalCluster', 'WaitForWriter', 'RouteTraffic', 'Verify', 'Report'];
    const region = (name: string) => p.locator('[data-testid=local-region]', { hasText: name });

    await step('switches over to us-west-2 with the Operations button, following the real runbook\'s steps', async () => {
      await region('us-east-1').filter({ hasText: 'writer' }).waitFor();
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).click();
      await p.locator('[data-testid=execution]', { hasText: 'switchover in us-west-2: Success' }).waitFor();
      const steps = await p.locator('[data-testid=execution] li').allInnerTexts();
      assert.deepStrictEqual(steps.map((s) => s.replace(/ \(.*$/s, '')), SWITCHOVER_STEPS.map((s) => `${s}: Success`));
      await p.getByRole('button', { name: 'Refresh' }).click();
      await p.locator('[data-testid=served-by]', { hasText: 'us-west-2' }).waitFor();
      assert.match((await p.locator('[data-testid=request-row]').first().innerText()), /GET \/api\/remittances\s+200\s+us-west-2/);
      // The runbook's progress was read from the Region running it.
      assert.ok((await p.locator('[data-testid=request-row]').allInnerTexts()).some((r) => /GET \/regions\/us-west-2\/api\/operations\/\S+\s+200\s+us-west-2/.test(r)));
      // The writer moved, and the data with it: the remittance written in us-east-1 is there.
      await region('us-west-2').filter({ hasText: 'writer' }).waitFor();
      assert.match((await rows(p))[0], /Bob\s+125\.50 EUR\s+rent\s+us-east-1/);
    });

    await step('impairs the writer\'s Region: a switchover to us-east-1 is refused, and the page says nothing was changed', async () => {
      await region('us-west-2').getByRole('button', { name: 'Impair us-west-2' }).click();
      await region('us-west-2').filter({ hasText: 'impaired' }).waitFor();
      await p.getByRole('button', { name: 'Switch over to us-east-1' }).click();
      await p.locator('[data-testid=refused]').waitFor();
      assert.match(await p.locator('[data-testid=execution]').innerText(), /switchover in us-east-1: Failed/);
      assert.match(await p.locator('[data-testid=execution] li').first().innerText(), /^Preflight: Failed/);
    });

    await step('fails over to us-east-1 with the data-loss acknowledgement, and writes on', async () => {
      assert.strictEqual(await p.getByRole('button', { name: 'Fail over to us-east-1' }).isDisabled(), true);
      await p.getByRole('checkbox').check();
      await p.getByRole('button', { name: 'Fail over to us-east-1' }).click();
      await p.locator('[data-testid=execution]', { hasText: 'failover in us-east-1: Success' }).waitFor();
      await region('us-east-1').filter({ hasText: 'writer' }).waitFor();
      await p.getByRole('button', { name: 'Refresh' }).click();
      await p.locator('[data-testid=served-by]', { hasText: 'us-east-1' }).waitFor();
      await create('Alice', 'Erin', '7', 'GBP');
      await p.locator('[data-testid=remittance-row]', { hasText: 'Erin' }).waitFor();
    });

    await step('restores us-west-2, which rejoins as a secondary; a switchover moves the writer back with every write', async () => {
      await region('us-west-2').getByRole('button', { name: 'Restore us-west-2' }).click();
      await region('us-west-2').filter({ hasText: /secondary, lag/ }).waitFor();
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).click();
      await p.locator('[data-testid=execution]', { hasText: 'switchover in us-west-2: Success' }).waitFor();
      await p.getByRole('button', { name: 'Refresh' }).click();
      await p.locator('[data-testid=served-by]', { hasText: 'us-west-2' }).waitFor();
      assert.ok((await rows(p)).some((r) => /Erin/.test(r)));
    });

    await step('fails back to the home Region with the failback runbook', async () => {
      await p.getByRole('button', { name: 'Fail back to us-east-1' }).click();
      await p.locator('[data-testid=execution]', { hasText: 'failback in us-east-1: Success' }).waitFor();
      await p.getByRole('button', { name: 'Refresh' }).click();
      await p.locator('[data-testid=served-by]', { hasText: 'us-east-1' }).waitFor();
      await region('us-east-1').filter({ hasText: 'writer' }).waitFor();
    });

    fs.mkdirSync('test-reports', { recursive: true });
    await p.screenshot({ path: 'test-reports/remittance-ui.png', fullPage: true });
    assert.deepStrictEqual(problems, [], `the page threw: ${problems.join('; ')}`);
    console.log('browser test passed (screenshot: test-reports/remittance-ui.png)');
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().catch((e: Error) => {
  console.error(`browser test FAILED: ${e.stack ?? e.message}`);
  process.exit(1);
});
