import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { FakeAutomation, publishedParameters } from './fake-automation';
import { FakeSsmServer } from './fake-ssm-server';
import { awsAutomationService, awsCliDependencies } from '../../src/cli/aws-cli-dependencies';
import { EXIT, runCli, USAGE } from '../../src/cli/cli';
import { arnOf, FakeCloud } from '../ssm/fake-cloud';
import { MotoServer } from '../ssm/moto-server';

const REGION = 'us-west-2';

describe('the command line\'s SSM calls against a local moto_server', () => {
  let moto: MotoServer;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    moto = await MotoServer.start();
    const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
    for (const [name, value] of publishedParameters()) {
      await ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: value, Overwrite: true }));
    }
    // More parameters under the root than one page of GetParametersByPath holds.
    for (let i = 0; i < 12; i++) {
      await ssm.send(new PutParameterCommand({ Name: `/cdk-cross-region-failover/other-${i}/aurora`, Type: 'String', Value: '{}', Overwrite: true }));
    }
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
  });

  test('reads a parameter, and answers undefined for one that does not exist', async () => {
    const ssm = awsAutomationService(REGION, moto.endpoint);
    expect(JSON.parse((await ssm.readParameter('/cdk-cross-region-failover/orders/runbooks'))!).documents.failover).toBe('orders-Failover');
    expect(await ssm.readParameter('/cdk-cross-region-failover/payments/runbooks')).toBeUndefined();
  });

  test('lists every parameter under the root, across pages', async () => {
    const names = await awsAutomationService(REGION, moto.endpoint).listParameterNames('/cdk-cross-region-failover');
    expect(names).toHaveLength(15);
    expect(names).toContain('/cdk-cross-region-failover/orders/runbooks');
  });

  test('finds the only deployment of a Region, and says when a Region has none', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const deps = awsCliDependencies({ endpoint: moto.endpoint, env: {} });
    // eu-west-1 has nothing deployed in moto.
    expect(await runCli(['failback', '--to', 'eu-west-1'], deps, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(EXIT.failed);
    expect(err[0]).toMatch(/^error: no FailoverAutomation runbooks are deployed in eu-west-1/);
    expect(deps.defaultRegion).toBeUndefined();
    expect(awsCliDependencies({ env: { AWS_DEFAULT_REGION: 'eu-west-1' } }).defaultRegion).toBe('eu-west-1');
  });

  test('a dry run through the SDK: the pre-flight reads the secret in the target Region, and refuses without it', async () => {
    const out: string[] = [];
    const code = await runCli(['switchover', '--to', REGION, '--dry-run'], awsCliDependencies({ endpoint: moto.endpoint, env: {} }), { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(EXIT.refused);
    expect(out).toContain("  ✗ refused: the database secret 'orders-aurora-master' has no usable replica in us-west-2: " +
      'the application there could not connect; redeploy the database stack of that Region');

  });
});

describe('a run through the AWS SDK, against an SSM server running the real documents', () => {
  const savedEnv = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    jest.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterAll(() => {
    process.env = savedEnv;
    jest.restoreAllMocks();
  });

  type Setup = (automation: FakeAutomation, cloud: FakeCloud, server: FakeSsmServer) => void;

  async function runAgainst(setup: Setup, argv: string[], requestTimeoutMs = 10_000) {
    const cloud = new FakeCloud();
    cloud.transitionPolls = 30;
    const automation = new FakeAutomation(REGION, cloud);
    const server = new FakeSsmServer(automation);
    setup(automation, cloud, server);
    const endpoint = await server.start();
    const out: string[] = [];
    const err: string[] = [];
    try {
      const sleep = () => new Promise<void>((resolve) => setImmediate(resolve));
      const deps = { ...awsCliDependencies({ endpoint, env: {}, requestTimeoutMs }), sleep };
      const code = await runCli(argv, deps, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out, err, cloud, operations: server.operations, filters: server.describeFilters };
    } finally {
      await server.stop();
    }
  }

  test('a switchover: found, started and followed to its report through the SDK\'s requests and responses', async () => {
    const { code, out, err, cloud, operations } = await runAgainst(() => {}, ['switchover', '--to', REGION, '--poll', '1']);
    expect(err).toEqual([]);
    expect(code).toBe(EXIT.ok);
    expect(out.filter((l) => l.startsWith('  ✓ ')).map((l) => l.replace(/, \d+ s: .*/, ''))).toEqual([
      '  ✓ pre-flight', '  ✓ give a headless target a writer instance (skipped)', '  ✓ wait until the target has an available instance',
      '  ✓ switchover global cluster', '  ✓ wait until the target is writer', '  ✓ route traffic to the target', '  ✓ verify',
    ]);
    // Durations and the loop's inner steps survive the wire format (epoch seconds, ParentStepDetails):
    // a loop step has no outputs of its own, its detail is its last iteration's.
    expect(out.find((l) => l.startsWith('  ✓ wait until the target is writer'))).toMatch(/, 300 s: us-west-2 is the writer/);
    expect(out[out.length - 1]).toMatch(/^switchover to us-west-2 succeeded; measured recovery time 300 s\./);
    expect(cloud.writer()).toBe(arnOf(REGION));
    // Runs under way are looked for in both Regions (the server lists an ended run too, which does not block).
    // The directory, then the topology, the routing and the cluster spec parameters.
    expect(operations.slice(0, 9)).toEqual([
      'GetParametersByPath', 'GetParametersByPath', 'GetParametersByPath', 'GetParameter', 'GetParameter', 'GetParameter', 'GetParameter',
      'DescribeAutomationExecutions', 'DescribeAutomationExecutions',
    ]);
    expect(operations[9]).toBe('StartAutomationExecution');
    expect(new Set(operations.slice(10))).toEqual(new Set(['GetAutomationExecution']));
  });

  test('a step history SSM cut (StepExecutionsTruncated) is read whole, page by page, and the report has every step', async () => {
    const whole = await runAgainst(() => {}, ['switchover', '--to', REGION, '--poll', '1']);
    const cut = await runAgainst((_a, _c, server) => (server.truncateStepsAt = 2), ['switchover', '--to', REGION, '--poll', '1']);
    expect(cut.code).toBe(EXIT.ok);
    expect(cut.out.filter((l) => l.startsWith('  ✓ '))).toEqual(whole.out.filter((l) => l.startsWith('  ✓ ')));
    expect(cut.out[cut.out.length - 1]).toBe(whole.out[whole.out.length - 1]);
    expect(cut.operations).toContain('DescribeAutomationStepExecutions');
    expect(whole.operations).not.toContain('DescribeAutomationStepExecutions');
  });

  test('an SSM that never answers (an impaired Region) is reported within the request timeout', async () => {
    const { code, err } = await runAgainst((_a, _c, server) => {
      server.hanging = true;
    }, ['switchover', '--to', REGION], 300);
    expect(code).toBe(EXIT.unreachable);
    expect(err[0]).toMatch(/^error: cannot reach AWS in us-west-2 \((ETIMEDOUT|TimeoutError): .*use another Region if this one is impaired$/);
  });

  test('the last ended runs: every page read, sorted here by end time (the listing\'s order is not documented), other documents left out', async () => {
    const automation = new FakeAutomation(REGION, new FakeCloud());
    const server = new FakeSsmServer(automation);
    const t = Date.UTC(2026, 10, 29, 12) / 1000;
    const ended = (id: string, documentName: string, status: string, end: number) => ({
      AutomationExecutionId: id, DocumentName: documentName, AutomationExecutionStatus: status, ExecutionStartTime: end - 300, ExecutionEndTime: end,
    });
    server.endedRuns = [
      ended('a', 'orders-Switchover', 'Success', t - 3600),
      ended('b', 'orders-Failover', 'Failed', t),
      ended('c', 'unrelated-Document', 'Success', t + 60),
      ended('d', 'orders-Failback', 'Cancelled', t - 60),
    ];
    server.executionsPageSize = 2;
    const endpoint = await server.start();
    try {
      const ssm = awsAutomationService(REGION, endpoint);
      const runs = await ssm.endedExecutions(['orders-Switchover', 'orders-Failover', 'orders-Failback'], 3);
      expect(runs.map((r) => [r.executionId, r.status, r.endTime])).toEqual([['b', 'Failed', t * 1000], ['d', 'Cancelled', (t - 60) * 1000], ['a', 'Success', (t - 3600) * 1000]]);
      expect(runs[0]).toMatchObject({ documentName: 'orders-Failover', region: REGION, startTime: (t - 300) * 1000 });
      expect(server.operations.filter((o) => o === 'DescribeAutomationExecutions').length).toBe(2);
    } finally {
      await server.stop();
    }
  });

  test('a run already under way is found through DescribeAutomationExecutions, with its start time and step; an ended one is not', async () => {
    const { code, err, operations, filters } = await runAgainst((automation) => {
      automation.addRunning({
        executionId: '11111111-2222-4333-8444-555555555555', documentName: 'orders-Failover', status: 'InProgress', startTime: Date.UTC(2026, 10, 26, 3, 4, 5), currentStep: 'PromoteTarget',
      });
    }, ['failback', '--to', REGION]);
    expect(code).toBe(EXIT.refused);
    expect(err[0]).toMatch(/^error: another run of this deployment is under way: orders-Failover, execution 11111111-2222-4333-8444-555555555555 in us-west-2 \(InProgress, at step PromoteTarget, started 2026-11-26T03:04:05Z\)/);
    expect(operations).not.toContain('StartAutomationExecution');
    expect(filters[0]).toEqual([{ Key: 'DocumentNamePrefix', Values: ['orders-'] }, { Key: 'StartTimeAfter', Values: [expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)] }]);
  });

});

describe('the bundled command (what npx runs)', () => {
  const bin = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'index.js');
  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    // No credentials anywhere: no environment keys, an empty home, no instance metadata.
    env: { PATH: process.env.PATH ?? '', HOME: path.join(__dirname, 'no-such-home'), AWS_EC2_METADATA_DISABLED: 'true', ...env },
    timeout: 30_000,
  });

  test('--help, --version and a usage error never load the AWS SDK bundle: they work with the command alone, and status then needs the bundle', () => {
    // The command's bundle copied alone, without the SDK bundle beside it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-alone-'));
    try {
      fs.mkdirSync(path.join(dir, 'main'));
      fs.copyFileSync(bin, path.join(dir, 'main', 'index.js'));
      const alone = (args: string[]) => spawnSync(process.execPath, [path.join(dir, 'main', 'index.js'), ...args], {
        encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_REGION: 'us-east-1' }, timeout: 30_000,
      });
      expect(alone(['--help']).status).toBe(0);
      expect(alone(['switchover', '--help']).status).toBe(0);
      expect(alone(['--version']).status).toBe(0);
      expect(alone(['switchover']).status).toBe(EXIT.usage);
      const status = alone(['status']);
      expect(status.status).not.toBe(0);
      expect(status.stderr).toMatch(/Cannot find module/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help prints the usage and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(USAGE);
  });

  test('a usage error exits 2', () => {
    const r = cli(['switchover']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: switchover needs --to <region>: the Region to activate');
  });

  test('missing credentials are named, with the fix, exit 4, and no SDK banner about Node.js versions', () => {
    const r = cli(['status', '--region', 'us-west-2']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^error: no AWS credentials found: set AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  });

  test('--profile names the profile the SDK looks for', () => {
    const r = cli(['status', '--region', 'us-west-2', '--profile', 'oncall']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^error: no AWS credentials found for the profile 'oncall' \(--profile\): .*aws sso login --profile oncall/);
  });

  test('without --region or AWS_REGION, status reads in the Region of the profile\'s configuration, as the AWS CLI does', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-home-'));
    const automation = new FakeAutomation('eu-west-1', new FakeCloud());
    automation.parameters.clear();
    const server = new FakeSsmServer(automation);
    const endpoint = await server.start();
    try {
      fs.mkdirSync(path.join(home, '.aws'));
      fs.writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n\n[profile oncall]\nregion = eu-west-1\n');
      fs.writeFileSync(path.join(home, '.aws', 'credentials'), '[oncall]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [bin, 'status', '--profile', 'oncall'], {
          env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_SSM: endpoint },
          timeout: 30_000,
        }, (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
      });
      // Signed for eu-west-1, the profile's Region (not the default profile's), where nothing is deployed.
      expect(server.operations).toContain('GetParametersByPath');
      expect(r.stderr).toMatch(/^error: no FailoverAutomation runbooks are deployed in eu-west-1 /);
      expect(r.code).not.toBe(0);
    } finally {
      await server.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test('--version prints the package version; a command\'s --help shows its examples', () => {
    const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
    const v = cli(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(`cdk-cross-region-failover ${version}`);
    const h = cli(['failover', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('npx cdk-cross-region-failover failover --to us-west-2 --allow-data-loss');
  });
});
