/**
 * The integration run, against an AWS account (TESTING.md says what it needs and costs):
 *
 *   npx projen integ:run -c hostedZoneId=Z... -c zoneName=example.org [-c primaryRegion=...] [--keep]
 *   npx projen integ:destroy [-c name=integ-...]   # teardown alone, after an interrupted run
 *
 * `run` deploys the integration app (the minimal example, deletable) in two Regions,
 * checks that each Region's self-test succeeded, switches over to the second Region and
 * fails back to the first through the command-line tool, asserts after each move where
 * the writer is, which routing controls are On and which Region the API answers from,
 * and tears everything down, whatever happened. It exits 0 only when every check passed
 * and the teardown succeeded; every failed check prints what was expected and what was
 * found. `destroy` is the teardown alone, for the run named in .tmp/integ/last-run.json
 * (or -c name=...).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { DeleteDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeAutomationExecutionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  apiAnswerRegion, cliProblems, describePlacement, dryRunShouldWait, ExecutionSummary, Placement, placementProblems,
  runbookAddedInstances, selfTestDocumentName, selfTestProblems, writerRegions,
} from './checks';
import {
  contextArguments, deployProblems, IntegSettings, newRunName, parseContextArguments, readSettings, SETTING_KEYS, SettingKey, settingValues,
} from './settings';
import { readStates } from '../../src/arc/routing-states';
import { awsAutomationService } from '../../src/cli/aws-cli-dependencies';
import { explainAwsError } from '../../src/cli/cli';
import { awsCloudOperations } from '../../src/ssm/aws-cloud-operations';
import type { RunbookTopology } from '../../src/ssm/cloud-operations';
import {
  parseAuroraTopology, parseRoutingTopology, parseRunbooksDirectory, runbooksParameterName, runbookTopology,
} from '../../src/ssm/topology';

const ROOT = path.resolve(__dirname, '..', '..');
const INTEG_DIR = __dirname;
/** Where the CDK CLI writes the cloud assembly it deploys (apart from CI's offline synth in test/integ/cdk.out). */
const DEPLOY_OUTDIR = path.join(ROOT, '.tmp', 'integ', 'cdk.out');
/** The run under way or last run, so that `destroy` finds it after an interruption. */
const STATE_FILE = path.join(ROOT, '.tmp', 'integ', 'last-run.json');
const CLI = path.join(ROOT, 'assets', 'cli', 'main', 'index.js');
/** The CDK CLI: a recent 2.x from npm, unless CDK_CLI names another command (for example `cdk`). */
const CDK_CLI = (process.env.CDK_CLI ?? 'npx --yes aws-cdk@2').split(/\s+/).filter((s) => s !== '');
/** The qualifier of the default bootstrap stack (`cdk bootstrap` without --qualifier). */
const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds, not '${process.env[name]}'`);
  return value * 1000;
};
/** How long a switchover may wait for the secondary to be ready (connected, its lag measured). */
const READY_TIMEOUT_MS = seconds('INTEG_READY_TIMEOUT_SECONDS', 1800);
/** How long the API may take to answer from the new Region (DNS TTLs, resolver caches); 0 skips that check. */
const API_TIMEOUT_MS = seconds('INTEG_API_TIMEOUT_SECONDS', 600);
const POLL_MS = 30_000;

const started = Date.now();
const log = (line: string) => console.log(`[integ ${new Date().toISOString().slice(11, 19)} +${Math.round((Date.now() - started) / 60_000)} min] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Ctrl-C once: stop at the next step and tear down. Twice: leave at once (then integ:destroy).
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) {
    console.error('\n[integ] interrupted again: leaving now. Tear down with: npx projen integ:destroy');
    process.exit(130);
  }
  interrupted = true;
  console.error('\n[integ] interrupted: the teardown runs next (Ctrl-C again to leave the stacks; then npx projen integ:destroy)');
});

class Refusal extends Error {}

/** `body`, with a bad setting or argument turned into a refusal (exit 2, nothing done). */
function orRefuse<T>(body: () => T): T {
  try {
    return body();
  } catch (e) {
    throw new Refusal((e as Error).message);
  }
}

// ---------------------------------------------------------------------------
// Phases and the summary
// ---------------------------------------------------------------------------

interface PhaseResult {
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly ms: number;
  readonly problems: string[];
}

const results: PhaseResult[] = [];

/** Runs one phase; a thrown error is one of its problems. Skipped once an earlier phase failed, unless `always`. */
async function phase(name: string, body: () => Promise<string[]>, always = false): Promise<boolean> {
  if (!always && (interrupted || results.some((r) => r.outcome !== 'passed'))) {
    results.push({ name, outcome: 'skipped', ms: 0, problems: [] });
    return false;
  }
  log(`── ${name}`);
  const t0 = Date.now();
  let problems: string[];
  try {
    problems = await body();
  } catch (e) {
    // An AWS error as the command-line tool words it: what to do about credentials, permissions, the network.
    problems = [explainAwsError(e)];
  }
  const ms = Date.now() - t0;
  results.push({ name, outcome: problems.length === 0 ? 'passed' : 'failed', ms, problems });
  for (const p of problems) log(`✗ ${p}`);
  log(`── ${name}: ${problems.length === 0 ? 'passed' : 'FAILED'} (${Math.round(ms / 1000)} s)`);
  return problems.length === 0;
}

const duration = (ms: number) => `${Math.floor(ms / 60_000)} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;

/** Prints every phase and every failed check; true when every phase passed (a skipped one, after Ctrl-C, is not a pass). */
function summary(): boolean {
  console.log('\nintegration run:');
  for (const r of results) console.log(`  ${r.outcome.padEnd(7)} ${duration(r.ms).padStart(13)}  ${r.name}`);
  const failed = results.filter((r) => r.outcome === 'failed');
  const skipped = results.filter((r) => r.outcome === 'skipped');
  for (const r of failed) for (const p of r.problems) console.log(`  ✗ ${r.name}: ${p}`);
  const verdict = failed.length === 0 && skipped.length === 0
    ? 'every check passed'
    : [failed.length > 0 ? `${failed.length} failed` : '', skipped.length > 0 ? `${skipped.length} skipped` : ''].filter((x) => x).join(', ');
  console.log(`  total ${duration(Date.now() - started)}: ${verdict}`);
  return failed.length === 0 && skipped.length === 0;
}

// ---------------------------------------------------------------------------
// The tools: CDK CLI and this package's command line
// ---------------------------------------------------------------------------

function cdk(settings: IntegSettings, args: string[]): string[] {
  const argv = [...CDK_CLI.slice(1), ...args, '--output', DEPLOY_OUTDIR, ...contextArguments(settings)];
  log(`$ ${CDK_CLI[0]} ${argv.join(' ')}`);
  const result = spawnSync(CDK_CLI[0], argv, { cwd: INTEG_DIR, stdio: 'inherit' });
  if (result.error) return [`could not run the CDK CLI '${CDK_CLI.join(' ')}': ${result.error.message} (set CDK_CLI to the command that runs it)`];
  return result.status === 0 ? [] : [`expected 'cdk ${args.join(' ')}' to exit 0, found ${result.status ?? result.signal}`];
}

/** Runs the bundled command-line tool, printing what it prints; answers its exit status. */
function failoverCli(args: string[]): number | null {
  log(`$ npx cdk-cross-region-failover ${args.join(' ')}`);
  return spawnSync(process.execPath, [CLI, ...args], { stdio: 'inherit' }).status;
}

// ---------------------------------------------------------------------------
// Reading the deployment
// ---------------------------------------------------------------------------

/** The deployment as the command-line tool finds it: the runbooks' directory and topology, from the SSM parameters of `region`. */
async function readDeployment(settings: IntegSettings, region: string): Promise<{ documents: string[]; topology: RunbookTopology }> {
  const ssm = awsAutomationService(region);
  const read = async (name: string) => {
    const text = await ssm.readParameter(name);
    if (text === undefined) throw new Error(`expected the SSM parameter ${name} in ${region}, found none: was the deployment completed?`);
    return text;
  };
  const directoryName = runbooksParameterName(settings.name);
  const directory = parseRunbooksDirectory(directoryName, await read(directoryName));
  const [aurora, routing] = await Promise.all([read(directory.auroraTopologyParameter), read(directory.routingTopologyParameter)]);
  const topology = runbookTopology(
    parseAuroraTopology(directory.auroraTopologyParameter, aurora),
    parseRoutingTopology(directory.routingTopologyParameter, routing),
  );
  return { documents: Object.values(directory.documents).filter((d): d is string => typeof d === 'string'), topology };
}

/** Where the writer is and which routing controls are On, read with the runbooks' own code (RDS from `region`, the ARC data plane). */
async function observe(topology: RunbookTopology, region: string): Promise<Placement> {
  const cloud = awsCloudOperations({ region });
  const [globalCluster, routingStates] = await Promise.all([
    cloud.describeGlobalCluster(topology.globalClusterIdentifier),
    readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn)),
  ]);
  return { globalCluster, routingStates, regions: topology.regions };
}

async function selfTestExecutions(region: string, name: string): Promise<ExecutionSummary[]> {
  const ssm = new SSMClient({ region });
  const out = await ssm.send(new DescribeAutomationExecutionsCommand({
    Filters: [{ Key: 'DocumentNamePrefix', Values: [selfTestDocumentName(name)] }],
    MaxResults: 50,
  }));
  return (out.AutomationExecutionMetadataList ?? []).map((e) => ({
    executionId: e.AutomationExecutionId ?? '',
    documentName: e.DocumentName ?? '',
    status: e.AutomationExecutionStatus ?? 'unknown',
    startTime: e.ExecutionStartTime?.getTime(),
    failureMessage: e.FailureMessage,
  }));
}

/** One HTTPS GET on a new connection (a kept-alive one would keep answering from the Region it was opened to). */
function httpsGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Waits until `https://<domainName>/` answers from `expected`; the problem says what it answered last. */
async function apiAnswersFrom(settings: IntegSettings, expected: string): Promise<string[]> {
  if (API_TIMEOUT_MS === 0) {
    log('API check skipped (INTEG_API_TIMEOUT_SECONDS=0)');
    return [];
  }
  const url = `https://${settings.domainName}/`;
  const deadline = Date.now() + API_TIMEOUT_MS;
  let last = 'nothing yet';
  for (;;) {
    try {
      const { status, body } = await httpsGet(url, 10_000);
      const region = apiAnswerRegion(body);
      if (status === 200 && region === expected) {
        log(`${url} answers from ${region}`);
        return [];
      }
      last = `HTTP ${status}${region ? ` from ${region}` : `: ${body.slice(0, 200)}`}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline || interrupted) {
      return [`expected ${url} to answer from ${expected} within ${API_TIMEOUT_MS / 1000} s, found ${last}`];
    }
    await sleep(15_000);
  }
}

/** The placement checks after a move: the writer, the routing controls, then the API's answer. */
async function settledIn(settings: IntegSettings, topology: RunbookTopology, expected: string): Promise<string[]> {
  const placement = await observe(topology, settings.regions[0]);
  log(`found: ${describePlacement(placement)}`);
  const problems = placementProblems(expected, placement);
  if (problems.length > 0) return problems;
  // The operator's view of the same state, which must read every Region without an error.
  const status = cliProblems('status', failoverCli(['status', '--region', expected, '--name', settings.name]));
  return status.length > 0 ? status : apiAnswersFrom(settings, expected);
}

/**
 * Waits until a switchover to `target` would pass its pre-flight checks: right after the
 * deployment the secondary may not be connected yet, or have no `AuroraGlobalDBRPOLag`
 * data point, and the runbook refuses rather than guess. A dry run changes nothing.
 */
async function waitUntilReady(settings: IntegSettings, target: string): Promise<string[]> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const code = failoverCli(['switchover', '--to', target, '--name', settings.name, '--dry-run']);
    if (code === 0) return [];
    if (!dryRunShouldWait(code)) return cliProblems(`switchover --to ${target} --dry-run`, code);
    if (Date.now() > deadline || interrupted) {
      return [`expected the switchover's pre-flight checks to pass within ${READY_TIMEOUT_MS / 60_000} min, found them still refusing (above)`];
    }
    log(`not ready yet; checking again in ${POLL_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------
// Teardown
// ---------------------------------------------------------------------------

/**
 * Deletes the instance a runbook added to a headless cluster: its stack does not know it,
 * and CloudFormation cannot delete a cluster that still has an instance.
 */
async function deleteAddedInstances(settings: IntegSettings): Promise<string[]> {
  const problems: string[] = [];
  for (const region of settings.regions) {
    const rds = new RDSClient({ region });
    const clusterIdentifier = `${settings.name}-${region}`;
    const out = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [clusterIdentifier] }] }));
    const ids = (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '');
    for (const id of runbookAddedInstances(clusterIdentifier, ids)) {
      log(`deleting ${id} in ${region}, which the switchover added to the headless ${clusterIdentifier}`);
      try {
        await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id }));
      } catch (e) {
        if ((e as Error).name !== 'InvalidDBInstanceStateFault') throw e; // already being deleted
      }
      const deadline = Date.now() + 45 * 60_000;
      for (;;) {
        try {
          const status = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]?.DBInstanceStatus;
          if (Date.now() > deadline) {
            problems.push(`expected ${id} in ${region} deleted within 45 min, found it ${status}`);
            break;
          }
        } catch (e) {
          if ((e as Error).name === 'DBInstanceNotFoundFault') break;
          throw e;
        }
        await sleep(POLL_MS);
      }
    }
  }
  return problems;
}

/** Waits until no runbook of the deployment runs in any Region (a run the CLI stopped following goes on in SSM). */
async function noRunbookRunning(settings: IntegSettings, documents: string[]): Promise<string[]> {
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    const running = (await Promise.all(settings.regions.map((r) => awsAutomationService(r).runningExecutions(documents)))).flat();
    if (running.length === 0) return [];
    const names = running.map((r) => `${r.documentName} ${r.executionId} in ${r.region} (${r.status}, at ${r.currentStep ?? 'its start'})`);
    if (Date.now() > deadline) return [`expected no runbook running within 60 min, found ${names.join('; ')}`];
    log(`waiting for ${names.join('; ')} to end`);
    await sleep(POLL_MS);
  }
}

/**
 * Everything the run created goes: the writer back in the first Region if a run stopped
 * with it elsewhere (the stacks are deleted secondary first, and the instance the
 * switchover added would be the writer's only one), that instance, then `cdk destroy`.
 */
async function teardown(settings: IntegSettings): Promise<void> {
  const [primary] = settings.regions;
  await phase(`teardown: writer back in ${primary}`, async () => {
    let deployment: { documents: string[]; topology: RunbookTopology };
    let placement: Placement;
    try {
      deployment = await readDeployment(settings, primary);
      placement = await observe(deployment.topology, primary);
    } catch (e) {
      log(`cannot read the deployment (${explainAwsError(e)}); going on with the teardown`);
      return [];
    }
    const running = await noRunbookRunning(settings, deployment.documents);
    if (running.length > 0) return running;
    placement = await observe(deployment.topology, primary);
    log(`found: ${describePlacement(placement)}`);
    const writers = writerRegions(placement);
    if (writers.length === 0 || writers.includes(primary)) return [];
    const waiting = await waitUntilReady(settings, primary);
    if (waiting.length > 0) return waiting;
    return cliProblems(`switchover --to ${primary}`, failoverCli(['switchover', '--to', primary, '--name', settings.name]));
  }, true);
  await phase('teardown: instances the runbooks added', () => deleteAddedInstances(settings), true);
  await phase('teardown: cdk destroy', async () => cdk(settings, ['destroy', '--all', '--force']), true);
}

// ---------------------------------------------------------------------------
// Before anything is created
// ---------------------------------------------------------------------------

/** Refuses, changing nothing, when no credentials are found. */
async function credentialsOrRefuse(region: string): Promise<void> {
  try {
    await new SSMClient({ region }).config.credentials();
  } catch (e) {
    throw new Refusal(explainAwsError(e));
  }
}

/** Refuses, creating nothing, unless the account is bootstrapped for the CDK in every Region the app deploys to. */
async function bootstrappedOrRefuse(settings: IntegSettings): Promise<void> {
  const missing: string[] = [];
  for (const region of new Set([...settings.regions, settings.routingRegion])) {
    let version: string | undefined;
    try {
      version = await awsAutomationService(region).readParameter(BOOTSTRAP_VERSION_PARAMETER);
    } catch (e) {
      throw new Refusal(explainAwsError(e, region));
    }
    if (version === undefined) missing.push(region);
  }
  if (missing.length > 0) {
    throw new Refusal(`the account is not bootstrapped for the CDK in ${missing.join(', ')} (no SSM parameter ${BOOTSTRAP_VERSION_PARAMETER}): ` +
      `npx aws-cdk@2 bootstrap ${missing.map((r) => `aws://<account id>/${r}`).join(' ')}`);
  }
}

interface RunState {
  readonly settings: IntegSettings;
  readonly startedAt: string;
}

function readState(): RunState | undefined {
  return fs.existsSync(STATE_FILE) ? JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as RunState : undefined;
}

function lookupFrom(context: Record<string, string>, fallback: Partial<Record<SettingKey, string>> = {}) {
  return (key: SettingKey) => context[key] ?? process.env[SETTING_KEYS[key]] ?? fallback[key];
}

// ---------------------------------------------------------------------------
// The commands
// ---------------------------------------------------------------------------

async function run(context: Record<string, string>, keep: boolean): Promise<boolean> {
  const earlier = readState();
  if (earlier) {
    throw new Refusal(`an earlier run, '${earlier.settings.name}' (started ${earlier.startedAt}), was not torn down: ` +
      `run 'npx projen integ:destroy' first (or delete ${path.relative(ROOT, STATE_FILE)} if its stacks are gone)`);
  }
  const settings = orRefuse(() => readSettings(lookupFrom(context, { name: newRunName(Date.now(), Math.random()) })));
  const problems = deployProblems(settings);
  if (problems.length > 0) throw new Refusal(problems.join('; '));
  if (!fs.existsSync(CLI)) throw new Refusal(`${path.relative(ROOT, CLI)} is missing: build it with 'npx projen bundle'`);
  await credentialsOrRefuse(settings.regions[0]);
  await bootstrappedOrRefuse(settings);
  const [primary, secondary] = settings.regions;
  log(`run '${settings.name}': ${primary} (primary), ${secondary}, routing in ${settings.routingRegion}, API at https://${settings.domainName}/`);
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify({ settings, startedAt: new Date().toISOString() } satisfies RunState, null, 2));

  let topology: RunbookTopology | undefined;
  try {
    await phase('deploy (the self-test runs inside it)', async () => cdk(settings, ['deploy', '--all', '--require-approval', 'never']));
    await phase('self-test succeeded in every Region', async () =>
      (await Promise.all(settings.regions.map(async (r) => selfTestProblems(r, settings.name, await selfTestExecutions(r, settings.name))))).flat());
    await phase(`initial placement: writer and traffic in ${primary}`, async () => {
      topology = (await readDeployment(settings, primary)).topology;
      return settledIn(settings, topology, primary);
    });
    await phase(`switchover to ${secondary} through the CLI`, async () => {
      const waiting = await waitUntilReady(settings, secondary);
      if (waiting.length > 0) return waiting;
      const moved = cliProblems(`switchover --to ${secondary}`, failoverCli(['switchover', '--to', secondary, '--name', settings.name]));
      return moved.length > 0 ? moved : settledIn(settings, topology!, secondary);
    });
    // A failback is a switchover back, after waiting until the old primary has rejoined
    // and caught up: after a switchover it already has, so it goes straight on.
    await phase(`failback to ${primary} through the CLI`, async () => {
      const moved = cliProblems(`failback --to ${primary}`, failoverCli(['failback', '--to', primary, '--name', settings.name]));
      return moved.length > 0 ? moved : settledIn(settings, topology!, primary);
    });
  } finally {
    if (keep) {
      log(`--keep: the stacks of '${settings.name}' stay, and bill by the hour. Tear them down with: npx projen integ:destroy`);
    } else {
      await teardown(settings);
      if (results.filter((r) => r.name.startsWith('teardown')).every((r) => r.outcome === 'passed')) fs.rmSync(STATE_FILE, { force: true });
    }
  }
  return summary();
}

async function destroy(context: Record<string, string>): Promise<boolean> {
  const state = readState();
  if (!context.name && !process.env[SETTING_KEYS.name] && !state) {
    throw new Refusal(`no run to tear down: ${path.relative(ROOT, STATE_FILE)} does not exist; name the run with -c name=<name> ` +
      '(and its Regions, if not the defaults)');
  }
  // The recorded run's settings, unless the command line names another.
  const recorded = state && (!context.name || context.name === state.settings.name) ? state.settings : undefined;
  const settings = orRefuse(() => readSettings(lookupFrom(context, recorded ? settingValues(recorded) : {})));
  if (!fs.existsSync(CLI)) throw new Refusal(`${path.relative(ROOT, CLI)} is missing: build it with 'npx projen bundle'`);
  await credentialsOrRefuse(settings.regions[0]);
  log(`tearing down '${settings.name}': ${settings.regions.join(', ')}, routing in ${settings.routingRegion}`);
  await teardown(settings);
  const ok = summary();
  if (ok && recorded) fs.rmSync(STATE_FILE, { force: true });
  return ok;
}

const USAGE = `usage: ts-node test/integ/run.ts run [-c key=value ...] [--keep]
       ts-node test/integ/run.ts destroy [-c name=<name> ...]
settings (-c key=value, or the environment variable): ${Object.entries(SETTING_KEYS).map(([k, v]) => `${k} (${v})`).join(', ')}
run needs hostedZoneId and zoneName: a public hosted zone of the account. See TESTING.md.`;

async function main(argv: string[]): Promise<number> {
  try {
    const { context, rest } = orRefuse(() => parseContextArguments(argv));
    const [command, ...flags] = rest;
    const unknown = flags.filter((f) => !(command === 'run' && f === '--keep'));
    if (command === undefined || command === '--help' || command === '-h') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (!['run', 'destroy'].includes(command) || unknown.length > 0) throw new Refusal(`unexpected '${[command, ...unknown].join(' ')}'\n${USAGE}`);
    const ok = command === 'run' ? await run(context, flags.includes('--keep')) : await destroy(context);
    return ok ? 0 : 1;
  } catch (e) {
    if (e instanceof Refusal) {
      console.error(`integ: refused, nothing was created or deleted: ${e.message}`);
      return 2;
    }
    console.error(`integ: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    if (results.length > 0) summary();
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
