/**
 * The remittance UI in headless Chromium (the system's: Debian package chromium, or
 * CHROMIUM_PATH), driven by playwright-core, against the local run: the built UI, the
 * real API handlers, the real runbooks, a replicating PostgreSQL server per Region.
 *
 * Signs in; creates, lists, edits and deletes remittances; sees a 400's reason. Then the
 * operations panel: only the sensible runbook is offered; a confirmation says what will
 * happen and Cancel starts nothing; a switchover is followed step by step, with step
 * durations and the report, across a reload of the page; the serving badge follows the
 * live state without a refresh. A Region impaired behind an open confirmation gets a
 * refusal that changed nothing; the list tells the unreachable database from an empty
 * list; a failover is offered once the writer's Region is impaired and needs the
 * data-loss acknowledgement, unticked every time; a failback is offered only after a
 * failover away from the home Region, once it has rejoined. Screenshots at 1280 and 390
 * pixels wide; at 390 the page does not scroll sideways.
 *
 *   npm run example:browser-test     (builds the UI first)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { LocalServer } from '../../examples/remittance/local/server';

const EMAIL = 'operator@example.com';
const PASSWORD = 'Browser-test-1!';

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`no Chromium found (looked at ${candidates.join(', ')}): install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  return found;
}

/** The page of the step under way, for a screenshot when it fails. */
let current: Page | undefined;

async function step(name: string, work: () => Promise<void>): Promise<void> {
  const start = Date.now();
  try {
    await work();
  } catch (e) {
    fs.mkdirSync('test-reports', { recursive: true });
    await current?.screenshot({ path: 'test-reports/remittance-ui-failed.png', fullPage: true }).catch(() => undefined);
    console.log(`  ✗ ${name}: the page as it was is in test-reports/remittance-ui-failed.png`);
    throw e;
  }
  console.log(`  ✓ ${name} (${Date.now() - start} ms)`);
}

/** The remittance rows of the list (not its "empty" row). */
function remittanceRows(page: Page): Locator {
  return page.locator('[data-testid=remittances] tbody tr').filter({ has: page.locator('[data-testid=remittance-row]') });
}

async function rows(page: Page): Promise<string[]> {
  return remittanceRows(page).allInnerTexts();
}

/** What the steps use of the page: the remittance form, the panel's cards, buttons and run. */
function ui(p: Page) {
  const execution = p.locator('[data-testid=execution]');
  return {
    create: async (sender: string, recipient: string, amount: string, currency: string, note = '') => {
      const form = p.locator('[data-testid=remittance-form]');
      await form.locator('input[name=sender]').fill(sender);
      await form.locator('input[name=recipient]').fill(recipient);
      await form.locator('input[name=amount]').fill(amount);
      await form.locator('input[name=currency]').fill(currency);
      await form.locator('input[name=note]').fill(note);
      await form.locator('button[type=submit]').click();
    },
    card: (region: string) => p.locator('[data-testid=regions] li').filter({ has: p.locator(`[data-testid=region-${region}]`) }),
    actions: async () => p.locator('[data-testid=actions] button').allInnerTexts(),
    served: (text: string) => p.locator('[data-testid=served-by]', { hasText: text }).waitFor(),
    dialog: p.getByRole('dialog'),
    execution,
    runEnded: async (title: string, status: string) => {
      await execution.locator('[data-testid=execution-title]', { hasText: title }).waitFor();
      await execution.filter({ hasText: new RegExp(`${title}: ${status}`) }).waitFor({ timeout: 60_000 });
    },
    dismiss: async () => {
      await execution.getByRole('button', { name: 'Dismiss' }).click();
      await execution.waitFor({ state: 'detached' });
    },
  };
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
    current = p;
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
      await p.getByRole('alert').filter({ hasText: 'Incorrect username or password.' }).first().waitFor();
    });

    await step('signs in', async () => {
      await p.fill('input[name=password]', PASSWORD);
      await p.click('button[type=submit]');
      await p.locator('[data-testid=remittance-form]').waitFor();
      await p.locator('[data-testid=list-empty]', { hasText: 'No remittances yet.' }).waitFor();
      assert.match(await p.locator('[data-testid=served-by]').innerText(), /us-east-1/);
      // Every request is listed with the Region that served it.
      assert.match((await p.locator('[data-testid=requests] tbody tr').first().innerText()), /GET \/api\/remittances\s+200\s+us-east-1/);
    });

    const { create, card, actions, served, dialog, execution, runEnded, dismiss } = ui(p);

    await step('creates two remittances and lists them, newest first', async () => {
      await create('Alice', 'Bob', '125.5', 'EUR', 'rent');
      await remittanceRows(p).filter({ hasText: 'Bob' }).waitFor();
      await create('Alice', 'Carol', '40', 'USD');
      await remittanceRows(p).filter({ hasText: 'Carol' }).waitFor();
      const listed = await rows(p);
      assert.strictEqual(listed.length, 2);
      assert.match(listed[0], /Carol\s+40\.00 USD/);
      assert.match(listed[1], /Bob\s+125\.50 EUR\s+rent\s+us-east-1/);
    });

    await step('bad input gets the API\'s reason, and nothing is created', async () => {
      await create('Alice', 'Dan', '12.345', 'EUR');
      await p.getByRole('alert').filter({ hasText: "'amount' must be a positive amount with at most 2 decimals" }).first().waitFor();
      assert.strictEqual((await rows(p)).length, 2);
    });

    await step('edits a remittance', async () => {
      await p.getByRole('button', { name: 'Edit the remittance to Carol' }).click();
      const form = p.locator('[data-testid=remittance-form]');
      await form.locator('input[name=amount]').fill('45.10');
      await form.getByRole('button', { name: 'Save' }).click();
      await remittanceRows(p).filter({ hasText: '45.10 USD' }).waitFor();
    });

    await step('deletes a remittance', async () => {
      await p.getByRole('button', { name: 'Delete the remittance to Carol' }).click();
      await remittanceRows(p).filter({ hasText: 'Carol' }).waitFor({ state: 'detached' });
      assert.strictEqual((await rows(p)).length, 1);
    });

    const SWITCHOVER_STEPS = ['Preflight', 'Approve', 'PrepareTarget', 'WaitForInstance', 'SwitchoverGlobalCluster', 'WaitForWriter', 'RouteTraffic', 'Verify', 'Report'];

    await step('the panel reads every Region live and offers only the switchover: the writer\'s Region is healthy', async () => {
      await card('us-east-1').filter({ hasText: 'Writer' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await card('us-west-2').filter({ hasText: 'Secondary, replicating' }).filter({ hasText: /Replication lag\s*\d+/ }).waitFor();
      await card('us-west-2').filter({ hasText: /Runbooks ready\s*Ready/ }).waitFor();
      assert.deepStrictEqual(await actions(), ['Switch over to us-west-2']);
      await p.locator('[data-testid=guidance]', { hasText: 'a failover is offered only when it is impaired' }).waitFor();
      await p.locator('[data-testid=lag-chart]').waitFor();
    });

    await step('a confirmation says what the switchover will do; Cancel starts nothing', async () => {
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).click();
      await dialog.filter({ hasText: 'makes us-west-2 the writer (no committed write is lost)' }).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.strictEqual(await execution.count(), 0);
    });

    let executionId = '';
    await step('switches over to us-west-2, followed across a reload of the page, with step durations and the report', async () => {
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).click();
      await dialog.getByRole('button', { name: 'Start the switchover' }).click();
      await execution.locator('[data-testid=execution-title]', { hasText: 'switchover to us-west-2' }).waitFor();
      executionId = /Execution (\S+) in us-west-2/.exec(await execution.innerText())![1];
      // The run is read from the Region running it.
      assert.ok((await p.locator('[data-testid=requests] tbody tr').allInnerTexts()).some((r) => /GET \/regions\/us-west-2\/api\/operations\/\S+\s+200\s+us-west-2/.test(r)));
      await p.reload();
      // Still signed in, and the same run is followed to its end.
      await execution.filter({ hasText: `Execution ${executionId} in us-west-2` }).waitFor();
      await runEnded('switchover to us-west-2', 'Success');
      const steps = await execution.locator('[data-testid=step]').allInnerTexts();
      assert.deepStrictEqual(steps, SWITCHOVER_STEPS.map((s) => `${s}: Success`));
      // Every step that ran has its duration (the approval, not asked for, did not run; the report is the run's end).
      const took = (await execution.locator('[data-testid=steps] tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      const timed = took.filter((r) => !/^(Approve|Report):/.test(r));
      assert.ok(timed.length === 7 && timed.every((r) => /: Success\b.* \d+(\.\d)? (ms|s|min)$/.test(r)), `the steps' durations: ${took.join(' | ')}`);
      await execution.locator('[data-testid=report]', { hasText: /switchover to us-west-2 succeeded; measured recovery time \d+ s/ }).waitFor();
      // The badge and the cards follow the live state: no refresh needed.
      await served('us-west-2');
      await card('us-west-2').filter({ hasText: 'Writer' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await card('us-west-2').filter({ hasText: /switchover Success/ }).waitFor();
      // The data moved with the writer.
      await p.getByRole('button', { name: 'Refresh' }).click();
      await remittanceRows(p).filter({ hasText: 'Bob' }).waitFor();
      assert.match((await rows(p))[0], /Bob\s+125\.50 EUR\s+rent\s+us-east-1/);
      await dismiss();
    });

    await step('the writer\'s Region is lost between the panel\'s last read and the start: the runbook refuses, and nothing was changed', async () => {
      // The panel's view lags reality by up to one read (3 s): its reads are held here while
      // the Region goes, so the start meets what the panel has not seen yet.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await p.route('**/operations/state', async (route) => {
        await held;
        await route.continue().catch(() => undefined);
      });
      await p.getByRole('button', { name: 'Switch over to us-east-1' }).click();
      await dialog.getByRole('button', { name: 'Start the switchover' }).waitFor();
      server.rehearsal.impair('us-west-2');
      await dialog.getByRole('button', { name: 'Start the switchover' }).click();
      release();
      await p.unroute('**/operations/state');
      await execution.locator('[data-testid=refused]', { hasText: 'Refused: nothing was changed' }).waitFor({ timeout: 60_000 });
      assert.match(await execution.locator('[data-testid=step]').first().innerText(), /^Preflight: Failed/);
      await card('us-west-2').filter({ hasText: /Impaired/ }).waitFor();
      await served('API unreachable');
      // The panel reads through the surviving Region's own API, and says so.
      await p.getByText("read through us-east-1's own API").waitFor();
      await dismiss();
    });


    await step('an unreachable database is not an empty list', async () => {
      await p.getByRole('button', { name: 'Refresh' }).click();
      await p.locator('[data-testid=list-error]', { hasText: 'The remittances could not be loaded' }).waitFor();
      assert.strictEqual(await p.locator('[data-testid=list-empty]').count(), 0);
    });

    await step('a failover is offered once the writer\'s Region is impaired; it starts only with the data-loss acknowledgement', async () => {
      assert.deepStrictEqual(await actions(), ['Fail over to us-east-1']);
      await p.getByRole('button', { name: 'Fail over to us-east-1' }).click();
      await dialog.filter({ hasText: 'Writes committed in us-west-2 and not yet replicated are lost' }).waitFor();
      const start = dialog.getByRole('button', { name: 'Start the failover' });
      assert.strictEqual(await start.isDisabled(), true);
      await dialog.getByRole('checkbox').check();
      await start.click();
      await runEnded('failover to us-east-1', 'Success');
      await served('us-east-1');
      await p.getByRole('button', { name: 'Refresh' }).click();
      await create('Alice', 'Erin', '7', 'GBP');
      await remittanceRows(p).filter({ hasText: 'Erin' }).waitFor();
      await dismiss();
    });

    await step('us-west-2 restored rejoins as a secondary; no failback to the home Region, which is the writer; a confirmation unticked at every opening, and held when the state changes under it', async () => {
      await p.getByRole('button', { name: 'Restore us-west-2' }).click();
      await card('us-west-2').filter({ hasText: 'Secondary, replicating' }).waitFor({ timeout: 60_000 });
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).waitFor();
      assert.deepStrictEqual(await actions(), ['Switch over to us-west-2']);
      await p.getByText('Offer a failover anyway', { exact: true }).click();
      await p.getByRole('button', { name: 'Fail over to us-west-2' }).click();
      assert.strictEqual(await dialog.getByRole('checkbox').isChecked(), false);
      // The confirmation follows the live state: us-west-2 lost while it is open, its Start is held, with the reason.
      await dialog.getByRole('checkbox').check();
      server.rehearsal.impair('us-west-2');
      await dialog.getByText('Not now: the state changed since you opened this: it is no longer offered.').waitFor();
      assert.strictEqual(await dialog.getByRole('button', { name: 'Start the failover' }).isDisabled(), true);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await server.rehearsal.restore('us-west-2');
      await card('us-west-2').filter({ hasText: 'Secondary, replicating' }).filter({ hasText: /OK/ }).waitFor({ timeout: 60_000 });
      await p.getByText('Offer a failover anyway', { exact: true }).click();
      await p.getByRole('button', { name: 'Fail over to us-west-2' }).waitFor({ state: 'detached' });
    });

    await step('after a failover away from the home Region, and once it has rejoined, one button leads back: the failback', async () => {
      await p.getByRole('button', { name: 'Impair us-east-1' }).click();
      await p.getByRole('button', { name: 'Fail over to us-west-2' }).click();
      await dialog.getByRole('checkbox').check();
      await dialog.getByRole('button', { name: 'Start the failover' }).click();
      await runEnded('failover to us-west-2', 'Success');
      await dismiss();
      await p.getByRole('button', { name: 'Restore us-east-1' }).click();
      await card('us-east-1').filter({ hasText: 'Secondary, replicating' }).waitFor({ timeout: 60_000 });
      await p.getByRole('button', { name: 'Fail back to us-east-1' }).waitFor();
      assert.deepStrictEqual(await actions(), ['Fail back to us-east-1']);
      await p.getByRole('button', { name: 'Fail back to us-east-1' }).click();
      await dialog.filter({ hasText: 'switches the writer back to us-east-1' }).getByRole('button', { name: 'Start the failback' }).click();
      await runEnded('failback to us-east-1', 'Success');
      await served('us-east-1');
      await card('us-east-1').filter({ hasText: 'Writer' }).waitFor();
      await p.getByRole('button', { name: 'Refresh' }).click();
      await remittanceRows(p).filter({ hasText: 'Erin' }).waitFor();
    });

    fs.mkdirSync('test-reports', { recursive: true });
    await p.screenshot({ path: 'test-reports/remittance-ui-1280.png', fullPage: true });
    await step('at 390 pixels wide the page does not scroll sideways', async () => {
      await p.setViewportSize({ width: 390, height: 844 });
      await p.getByRole('button', { name: 'Switch over to us-west-2' }).waitFor();
      const width = Number(await p.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `the page is ${width} pixels wide at a 390-pixel viewport`);
      await p.screenshot({ path: 'test-reports/remittance-ui-390.png', fullPage: true });
    });
    assert.deepStrictEqual(problems, [], `the page threw: ${problems.join('; ')}`);
    await activeActive(browser!);
    console.log('browser test passed (screenshots: test-reports/remittance-ui-1280.png, test-reports/remittance-ui-390.png, ' +
      'test-reports/remittance-ui-active-active.png)');
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().catch((e: Error) => {
  console.error(`browser test FAILED: ${e.stack ?? e.message}`);
  process.exit(1);
});

/**
 * The local run with active/active routing (npm run example:local -- --active-active):
 * every Region serves; the writer's Region is taken out of service (the writer switched
 * over first) and put back; a remittance is written in each role, and the Region
 * without the writer lists it from its own copy.
 */
async function activeActive(browser: Browser): Promise<void> {
  const server = await LocalServer.start({
    port: 0, uiDist: path.join(__dirname, '../../examples/remittance/ui/dist'), email: EMAIL, password: PASSWORD, activeActive: true,
  });
  const p = await browser.newPage();
  p.setDefaultTimeout(15_000);
  const problems: string[] = [];
  p.on('pageerror', (e) => problems.push(e.message));
  current = p;
  const { create, card, actions, served, dialog, execution, runEnded, dismiss } = ui(p);
  try {
    await step('active/active: every Region serves; each can be taken out of service, from a Region that stays', async () => {
      await p.goto(server.url);
      await p.fill('input[name=email]', EMAIL);
      await p.fill('input[name=password]', PASSWORD);
      await p.click('button[type=submit]');
      await p.locator('[data-testid=list-empty]', { hasText: 'No remittances yet.' }).waitFor();
      await p.getByText('PostgreSQL has no write forwarding').waitFor();
      await card('us-east-1').filter({ hasText: 'Writer' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await card('us-west-2').filter({ hasText: 'Secondary, replicating' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await p.getByRole('button', { name: 'Take us-east-1 out of service' }).waitFor();
      assert.deepStrictEqual(await actions(), ['Switch over to us-west-2', 'Take us-east-1 out of service', 'Take us-west-2 out of service']);
    });

    await step('active/active: the writer\'s Region taken out: the writer is switched over first, then its routing control Off', async () => {
      await p.getByRole('button', { name: 'Take us-east-1 out of service' }).click();
      await dialog.filter({ hasText: 'first switches the writer over to us-west-2 (no committed write is lost' }).waitFor();
      await dialog.getByRole('button', { name: 'Start the evacuation' }).click();
      await runEnded('evacuation of us-east-1 from us-west-2', 'Success');
      await execution.locator('[data-testid=report]', { hasText: /evacuate of us-east-1 succeeded/ }).waitFor();
      await served('us-west-2');
      await card('us-west-2').filter({ hasText: 'Writer' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await card('us-east-1').filter({ hasText: 'Secondary, replicating' }).filter({ hasText: /Traffic\s*Off/ }).waitFor();
      await dismiss();
      await create('Alice', 'Bob', '10', 'EUR');
      await remittanceRows(p).filter({ hasText: /Bob.*10\.00 EUR.*us-west-2/ }).waitFor();
    });

    await step('active/active: us-east-1 put back into service; written there (its copy refuses, the writer takes it) and listed from its own copy', async () => {
      await p.getByRole('button', { name: 'Put us-east-1 back into service' }).click();
      await dialog.filter({ hasText: 'checks that us-east-1 replicates from us-west-2 and has caught up' }).waitFor();
      await dialog.getByRole('button', { name: 'Start the restore' }).click();
      await runEnded('restore of us-east-1', 'Success');
      await dismiss();
      // With both Regions On, the local /api goes to the first: us-east-1, without the writer now.
      await served('us-east-1');
      await card('us-east-1').filter({ hasText: 'Secondary, replicating' }).filter({ hasText: 'On: receives the traffic' }).waitFor();
      await create('Alice', 'Carol', '20', 'USD');
      await remittanceRows(p).filter({ hasText: /Carol.*20\.00 USD.*us-east-1/ }).waitFor();
      await p.getByRole('button', { name: 'Refresh' }).click();
      await remittanceRows(p).filter({ hasText: 'Bob' }).waitFor();
      assert.strictEqual((await rows(p)).length, 2);
      assert.strictEqual(server.rehearsal.forwardedWrites('us-east-1').fallbacks, 1);
      assert.match((await p.locator('[data-testid=requests] tbody tr').first().innerText()), /GET \/api\/remittances\s+200\s+us-east-1/);
      await p.screenshot({ path: 'test-reports/remittance-ui-active-active.png', fullPage: true });
    });
    assert.deepStrictEqual(problems, [], `the page threw: ${problems.join('; ')}`);
  } finally {
    await p.close();
    await server.stop();
  }
}
