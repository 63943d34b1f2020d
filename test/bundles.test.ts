/**
 * The prebundled Lambda handlers as they ship (assets/, built by the test task's bundle
 * step): minified, the SDK's ES module build, and the environment-only credential
 * provider (src/aws-lambda-credentials.ts) in place of the SDK's default chain. Each runs
 * in a fresh Node.js process, as Lambda loads it, and makes real signed calls to local
 * endpoints; the other tests exercise the same handlers from their TypeScript sources.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { FakeArcServer, responseCollector } from './arc/fake-arc-server';
import { MotoServer } from './ssm/moto-server';

const ASSETS = path.join(__dirname, '..', 'assets');
const LAMBDA_BUNDLES = ['arc/initial-routing-state.lambda', 'observe/failover-trigger.lambda', 'ssm/runbook-step.lambda', 'ssm/self-test.lambda'];
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'token' };
const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/west';

interface Invocation {
  /** The handler's answer, or its error's message. */
  readonly result?: unknown;
  readonly error?: string;
  readonly stdout: string;
}

/**
 * Loads `bundle` in a new Node.js process with only `env` (and PATH) and calls its
 * handler with `event` and a Lambda-like context.
 */
function invoke(bundle: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const driver = `
    const { handler } = require(${JSON.stringify(path.join(ASSETS, bundle, 'index.js'))});
    const context = { getRemainingTimeInMillis: () => 60000 };
    handler(JSON.parse(process.argv[1]), context).then(
      (result) => process.stdout.write('\\n@@' + JSON.stringify({ result: result === undefined ? null : result })),
      (e) => process.stdout.write('\\n@@' + JSON.stringify({ error: e.message })),
    );`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', driver, JSON.stringify(event)], {
      env: { PATH: process.env.PATH!, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', () => {
      const marker = stdout.lastIndexOf('\n@@');
      if (marker < 0) return reject(new Error(`${bundle} gave no answer: ${stderr}`));
      resolve({ ...JSON.parse(stdout.slice(marker + 3)), stdout: stdout.slice(0, marker) });
    });
  });
}

describe('the Lambda bundles as shipped', () => {
  test.each(LAMBDA_BUNDLES)('%s is one file, with no source map and without the SDK\'s default credential chain', (bundle) => {
    expect(fs.readdirSync(path.join(ASSETS, bundle))).toEqual(['index.js']);
    const code = fs.readFileSync(path.join(ASSETS, bundle, 'index.js'), 'utf8');
    expect(code.includes('sourceMappingURL')).toBe(false);
    // The SDK's default credential chain is not in a Lambda bundle: no STS, SSO or sign-in client.
    expect(['AssumeRoleWithWebIdentity', 'defaultProvider::fromSSO', 'CreateOAuth2Token'].filter((s) => code.includes(s))).toEqual([]);
  });

  test('the command line keeps the SDK\'s default credential chain (profiles, SSO, roles)', () => {
    const code = fs.readFileSync(path.join(ASSETS, 'cli', 'aws-cli-dependencies', 'index.js'), 'utf8');
    expect(['AssumeRoleWithWebIdentity', 'defaultProvider::fromSSO', 'CreateOAuth2Token'].filter((s) => code.includes(s))).toHaveLength(3);
    expect(code.includes('sourceMappingURL')).toBe(false);
  });

  describe('initial routing state: the real SDK client against an ARC data plane over HTTP', () => {
    const arc = new FakeArcServer();
    let endpoints: Awaited<ReturnType<FakeArcServer['start']>>;
    let cfn: Awaited<ReturnType<typeof responseCollector>>;
    beforeAll(async () => {
      endpoints = await arc.start(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'], [EAST, WEST]);
      cfn = await responseCollector();
    });
    afterAll(async () => {
      await arc.stop();
      await cfn.close();
    });
    const create = (requestId: string) => ({
      RequestType: 'Create',
      RequestId: requestId,
      ResponseURL: cfn.url,
      LogicalResourceId: 'InitialRoutingState',
      StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/routing/abc',
      ResourceProperties: {
        ClusterEndpoints: endpoints.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
        RoutingControlArns: [EAST, WEST],
        InitiallyOnArn: EAST,
      },
    });

    test('signs with the credentials Lambda puts in the environment, sets the states, answers SUCCESS', async () => {
      arc.states.set(EAST, 'Off');
      arc.states.set(WEST, 'On');
      const before = arc.requests.length;
      await invoke('arc/initial-routing-state.lambda', create('with-credentials'), { ...CREDENTIALS, AWS_REGION: 'us-west-2' });
      expect(Object.fromEntries(arc.states)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
      const calls = arc.requests.slice(before);
      expect(calls.map((r) => r.operation)).toContain('UpdateRoutingControlStates');
      // Signed with the environment's key and session token, and nothing else.
      expect(calls.every((r) => r.authorization?.startsWith('AWS4-HMAC-SHA256 Credential=testing/') && r.securityToken === 'token')).toBe(true);
      expect(cfn.responses.pop()).toMatchObject({ Status: 'SUCCESS', RequestId: 'with-credentials', Data: { InitiallyOnArn: EAST } });
    }, 30_000);

    test('AWS_PROFILE set beside them changes nothing: a function has no shared files to read a profile from', async () => {
      const before = arc.requests.length;
      await invoke('arc/initial-routing-state.lambda', create('with-profile'), { ...CREDENTIALS, AWS_PROFILE: 'oncall', AWS_REGION: 'us-west-2' });
      expect(arc.requests.slice(before).every((r) => r.authorization?.includes('Credential=testing/'))).toBe(true);
      expect(cfn.responses.pop()).toMatchObject({ Status: 'SUCCESS', RequestId: 'with-profile' });
    }, 30_000);

    test('without keys in the environment, a container credentials endpoint it names is used', async () => {
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ AccessKeyId: 'container', SecretAccessKey: 'secret', Token: 'container-token', Expiration: new Date(Date.now() + 3600_000).toISOString() }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const before = arc.requests.length;
        const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`;
        await invoke('arc/initial-routing-state.lambda', create('container'), { AWS_REGION: 'us-west-2', AWS_CONTAINER_CREDENTIALS_FULL_URI: uri });
        const calls = arc.requests.slice(before);
        expect(calls.length).toBeGreaterThan(0);
        expect(calls.every((r) => r.authorization?.includes('Credential=container/') && r.securityToken === 'container-token')).toBe(true);
        expect(cfn.responses.pop()).toMatchObject({ Status: 'SUCCESS', RequestId: 'container' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }, 30_000);

    test('without credentials in the environment: no call reaches ARC, and FAILED names what is missing', async () => {
      const before = arc.requests.length;
      await invoke('arc/initial-routing-state.lambda', create('no-credentials'), { AWS_REGION: 'us-west-2', HOME: '/nonexistent' });
      expect(arc.requests.length).toBe(before);
      const response = cfn.responses.pop()!;
      expect(response).toMatchObject({ Status: 'FAILED', RequestId: 'no-credentials' });
      expect(response.Reason).toMatch(/no AWS credentials in this function's environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a container credentials endpoint\)/);
    }, 60_000);
  });

  describe('against a local moto_server', () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await MotoServer.start();
    }, 60_000);
    afterAll(async () => moto.stop());

    test('self-test resource: signs its StartAutomationExecution, and answers FAILED with the answer it got', async () => {
      const cfn = await responseCollector();
      try {
        await invoke('ssm/self-test.lambda', {
          RequestType: 'Create',
          RequestId: 'self-test',
          ResponseURL: cfn.url,
          LogicalResourceId: 'SelfTest',
          StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/s/1',
          ResourceProperties: { DocumentName: 'bundle-test-SelfTest' },
        }, { ...CREDENTIALS, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: moto.endpoint });
        const response = cfn.responses.pop()!;
        expect(response).toMatchObject({ Status: 'FAILED', RequestId: 'self-test' });
        // The request was signed and sent: moto, which does not implement StartAutomationExecution, answered with a
        // page the SDK cannot parse. Without credentials it would have failed before sending, naming them.
        expect(response.Reason).not.toMatch(/credentials/i);
        expect(response.Reason).toMatch(/is not valid JSON/);
      } finally {
        await cfn.close();
      }
    }, 60_000);

    test('runbook step: reads the topology from SSM, and names the missing parameter', async () => {
      const out = await invoke('ssm/runbook-step.lambda', { Runbook: 'switchover', Step: 'Preflight', TargetRegion: 'us-west-2' }, {
        ...CREDENTIALS,
        AWS_REGION: 'us-west-2',
        AWS_ENDPOINT_URL: moto.endpoint,
        AURORA_TOPOLOGY_PARAMETER: '/bundle-test/aurora',
        ROUTING_TOPOLOGY_PARAMETER: '/bundle-test/routing',
      });
      expect(out.error).toBe('SSM parameter /bundle-test/aurora does not exist in us-west-2: deploy the database stack of this Region first.');
    }, 60_000);

    test('failover trigger: reads the other Region\'s alarm, and starts nothing when it is missing', async () => {
      const out = await invoke('observe/failover-trigger.lambda', { detail: { alarmName: 'app-us-east-1-region-impaired', state: { value: 'ALARM' } } }, {
        ...CREDENTIALS,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: moto.endpoint,
        REGIONS: '["us-east-1","us-west-2"]',
        IMPAIRED_ALARMS: '{"us-east-1":"app-us-east-1-region-impaired","us-west-2":"app-us-west-2-region-impaired"}',
        GLOBAL_CLUSTER: 'app',
        FAILOVER_DOCUMENT: 'app-Failover',
        COOL_DOWN_SECONDS: '3600',
        REQUIRE_APPROVAL: 'true',
        APPROVERS: '[]',
      });
      expect(out.error).toBeUndefined();
      // moto answered DescribeAlarms (signed, in us-east-1 and us-west-2) with no such alarm: not known healthy, so nothing starts.
      expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toEqual({
        alarm: 'app-us-east-1-region-impaired',
        decision: {
          action: 'no-healthy-region',
          retry: false,
          impairedRegion: 'us-east-1',
          impairedAlarm: 'missing: the event\'s ALARM stands',
          regionsChecked: [{ region: 'us-west-2', state: 'missing' }],
          reason: 'no other Region is healthy: nothing was started; decide by hand',
        },
      });
    }, 60_000);

    test('failover trigger: reads the global database from the healthy Region\'s RDS, and starts nothing when the writer is there', async () => {
      // us-west-2 holds the writer, in moto's RDS; us-east-1's alarm fired.
      const config = { region: 'us-west-2', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
      const rds = new RDSClient(config);
      await rds.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'trigger', Engine: 'aurora-postgresql', EngineVersion: '16.13', StorageEncrypted: true }));
      await rds.send(new CreateDBClusterCommand({
        DBClusterIdentifier: 'trigger-us-west-2',
        Engine: 'aurora-postgresql',
        EngineVersion: '16.13',
        GlobalClusterIdentifier: 'trigger',
        MasterUsername: 'dbadmin',
        MasterUserPassword: 'not-a-real-password-1',
      }));
      // moto has no composite alarms (no PutCompositeAlarm) and no DescribeAutomationExecutions: those two are answered
      // here, us-east-1's alarm in ALARM, us-west-2's OK, and no failover started anywhere.
      const asked: string[] = [];
      const local = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          const target = String(req.headers['x-amz-target']);
          const region = /Credential=testing\/\d{8}\/(us-[a-z]+-\d)\/(monitoring|ssm)\//.exec(req.headers.authorization ?? '')?.[1];
          asked.push(`${target} ${region}`);
          const alarm = (JSON.parse(body || '{}').AlarmNames ?? [])[0];
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(target.endsWith('.DescribeAlarms')
            ? { CompositeAlarms: [{ AlarmName: alarm, StateValue: alarm === 'trigger-us-east-1-region-impaired' ? 'ALARM' : 'OK' }], MetricAlarms: [] }
            : { AutomationExecutionMetadataList: [] }));
        });
      });
      await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
      try {
        const env = {
          ...CREDENTIALS,
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${(local.address() as AddressInfo).port}`,
          AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(local.address() as AddressInfo).port}`,
          REGIONS: '["us-east-1","us-west-2"]',
          IMPAIRED_ALARMS: '{"us-east-1":"trigger-us-east-1-region-impaired","us-west-2":"trigger-us-west-2-region-impaired"}',
          GLOBAL_CLUSTER: 'trigger',
          FAILOVER_DOCUMENT: 'trigger-Failover',
          COOL_DOWN_SECONDS: '3600',
          REQUIRE_APPROVAL: 'true',
          APPROVERS: '[]',
        };
        const out = await invoke('observe/failover-trigger.lambda', { detail: { alarmName: 'trigger-us-east-1-region-impaired', state: { value: 'ALARM' } } }, env);
        expect(out.error).toBeUndefined();
        expect(asked.sort()).toEqual([
          'AmazonSSM.DescribeAutomationExecutions us-east-1',
          'AmazonSSM.DescribeAutomationExecutions us-west-2',
          'GraniteServiceVersion20100801.DescribeAlarms us-east-1',
          'GraniteServiceVersion20100801.DescribeAlarms us-west-2',
        ]);
        // The writer, read through the bundle's RDS client from moto (signed, in us-west-2): nothing starts.
        expect(JSON.parse(out.stdout.trim().split('\n').pop()!).decision).toMatchObject({
          action: 'writer-elsewhere',
          retry: false,
          impairedRegion: 'us-east-1',
          writerRegion: 'us-west-2',
          regionsChecked: [{ region: 'us-west-2', state: 'OK' }],
        });
        // A global database moto does not know: the writer is unclear, logged, and the invocation fails so that Lambda retries it.
        const unclear = await invoke('observe/failover-trigger.lambda', {
          id: '7bf73129-1428-4cd3-a780-95db273d1602',
          detail: { alarmName: 'trigger-us-east-1-region-impaired', state: { value: 'ALARM' } },
        }, { ...env, GLOBAL_CLUSTER: 'nowhere' });
        expect(unclear.error).toBe('writer-unclear: global database \'nowhere\' was not found from us-west-2 (detached or deleted?): nothing was started; ' +
          'decide by hand (status)');
        expect(JSON.parse(unclear.stdout.trim().split('\n').pop()!)).toMatchObject({
          event: '7bf73129-1428-4cd3-a780-95db273d1602', decision: { action: 'writer-unclear', retry: true },
        });
      } finally {
        await new Promise((resolve) => local.close(resolve));
      }
    }, 60_000);
  });
});
