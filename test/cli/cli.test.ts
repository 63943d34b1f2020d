import { fakeDependencies, FakeAutomation, publishedParameters } from './fake-automation';
import { commandHelp, EXIT, explainAwsError, parseArguments, runCli, USAGE } from '../../src/cli/cli';
import { evaluateReadiness } from '../../src/ssm/readiness';
import { runbooksParameterName } from '../../src/ssm/topology';
import { REGIONS, arnOf, controlOf, FakeCloud, specOf, TOPOLOGY } from '../ssm/fake-cloud';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ONCALL = 'arn:aws:iam::111111111111:role/oncall';

async function run(argv: string[], setup: (f: ReturnType<typeof fakeDependencies>) => unknown = () => {}) {
  const f = fakeDependencies();
  await setup(f);
  const code = await runCli(argv, f.deps, f.io);
  return { ...f, code, started: [...f.automation(EAST).started, ...f.automation(WEST).started] };
}

/** The changes a run made to the fake cloud: database moves and routing updates. */
function changes(cloud: FakeCloud) {
  return [
    ...cloud.calls.filter((c) => ['switchover', 'failover', 'detach'].includes(c.op)).map((c) => c.op),
    ...cloud.routing.calls.filter((c) => c.action === 'update').map(() => 'routing update'),
  ];
}

// The report step logs its report as one JSON line, for log queries; not wanted here.
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => {}));
afterEach(() => jest.restoreAllMocks());

describe('--help', () => {
  test('explains each command in one line, then the options', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(EXIT.ok);
    for (const command of ['status', 'switchover', 'failover', 'failback']) {
      const lines = out.filter((l) => new RegExp(`^  ${command}\\s{2,}\\S`).test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0].length).toBeLessThanOrEqual(130);
    }
    for (const option of ['--to', '--region', '--name', '--dry-run', '--allow-data-loss', '--max-rpo-lag', '--require-approval', '--approver', '--no-follow']) {
      expect(USAGE).toContain(`  ${option} `);
    }
  });

  test('-h after a command, or help <command>, shows that command\'s options and examples', async () => {
    const { code, out } = await run(['failover', '-h']);
    expect(code).toBe(EXIT.ok);
    expect(out.join('\n')).toBe(commandHelp('failover'));
    expect(out[0]).toBe('usage: npx cdk-cross-region-failover failover --to <region> --allow-data-loss [options]');
    expect(out).toContain('  npx cdk-cross-region-failover failover --to us-west-2 --allow-data-loss');
    expect(out.some((l) => l.startsWith('  --allow-detach '))).toBe(true);
    expect(out.some((l) => l.startsWith('  --max-rpo-lag '))).toBe(false);
    expect((await run(['help', 'watch'])).out.join('\n')).toBe(commandHelp('watch'));
    expect((await run(['help'])).out.join('\n')).toBe(USAGE);
  });

  test('--version needs no AWS', async () => {
    const f = fakeDependencies();
    let built = false;
    const code = await runCli(['--version'], () => {
      built = true;
      return f.deps;
    }, f.io, '1.2.3');
    expect(code).toBe(EXIT.ok);
    expect(f.out).toEqual(['cdk-cross-region-failover 1.2.3']);
    expect(built).toBe(false);
  });

  test('a usage error never builds the AWS clients', async () => {
    const f = fakeDependencies();
    let built = false;
    const code = await runCli(['failover', '--to', WEST], () => {
      built = true;
      return f.deps;
    }, f.io);
    expect(code).toBe(EXIT.usage);
    expect(built).toBe(false);
  });
});

describe('argument errors', () => {
  test.each<[string[], string]>([
    [[], 'no command given: use status, switchover, failover, failback, rebuild, evacuate, restore, watch or help'],
    [['promote'], "unknown command 'promote': use status, switchover, failover, failback, rebuild, evacuate, restore, watch or help"],
    [['swichover', '--to', WEST], "unknown command 'swichover': did you mean switchover?"],
    [['help', 'faliback'], "unknown command 'faliback': did you mean failback?"],
    [['switchover', '--to', WEST, '--dryrun'], "unknown option '--dryrun': did you mean --dry-run?"],
    [['status', '--output', 'yaml'], "--output is 'yaml': use text or json"],
    [['watch', '--region', WEST], 'watch needs the execution id of the run to follow, as `start` printed it (or from the console, or status)'],
    [['watch', 'abc', '--region', WEST], "'abc' is not an automation execution id (like 0123abcd-4567-89ef-0123-456789abcdef)"],
    [['watch', '11111111-2222-4333-8444-555555555555', '--to', WEST], 'watch takes no --to'],
    [['switchover', '--to', 'us-west-2', '--allow-detach'], '--allow-detach is for failover only; a switchover never detaches'],
    [['failback', '--to', 'us-east-1', '--max-data-loss', '30'], '--max-data-loss is for failover only; a failback never loses data'],
    [['failover', '--to', 'us-west-2', '--allow-detach'], 'a failover promotes the target without waiting for replication and can lose the writes not yet replicated: ' +
      'add --allow-data-loss to accept that, or run switchover when both Regions are healthy (--dry-run shows the checks)'],
    [['switchover'], 'switchover needs --to <region>: the Region to activate'],
    [['switchover', '--to'], '--to needs a value'],
    [['switchover', '--to', 'uswest2'], "--to is 'uswest2', which is not an AWS Region name (like us-east-1)"],
    [['switchover', '--to', WEST, '--allow-data-loss'], '--allow-data-loss is for failover only; a switchover never loses data'],
    [['failover', '--to', WEST, '--max-rpo-lag', '5'], '--max-rpo-lag is for switchover and failback; a failover does not wait for replication'],
    [['failback', '--to', EAST, '--max-rpo-lag', 'ten'], "--max-rpo-lag is 'ten': use a whole number of seconds from 1 to 3600"],
    [['switchover', '--to', WEST, '--region', EAST], 'switchover runs in the Region it activates: use --to, not --region'],
    [['status', '--to', WEST, '--dry-run'], 'status takes no --to, --dry-run'],
    [['switchover', '--to', WEST, '--approver', 'bob@example.com'], "--approver 'bob@example.com' is not an IAM user or role ARN (arn:aws:iam::<account>:role/<name>)"],
    [['switchover', '--to', WEST, '--force'], "unknown option '--force'"],
    [['switchover', '--to', WEST, '--to', EAST], '--to is given 2 times; give it once'],
    [['switchover', WEST], `unexpected argument '${WEST}'`],
    [['switchover', '--to', WEST, '--name', 'orders/x'], "--name 'orders/x' is not a database name (letters, digits and hyphens)"],
  ])('%j', async (argv, message) => {
    const { code, err, started, cloud } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err[0]).toBe(`error: ${message}`);
    expect(err[1]).toBe("Run 'npx cdk-cross-region-failover --help' for the commands and options.");
    expect(started).toEqual([]);
    expect(cloud.calls).toEqual([]);
  });

  test('values can be given as --key=value, and approvers repeated', () => {
    expect(parseArguments(['switchover', `--to=${WEST}`, '--approver', ONCALL, `--approver=${ONCALL}2`, '--max-rpo-lag=10'])).toMatchObject({
      command: 'switchover', to: WEST, approvers: [ONCALL, `${ONCALL}2`], maxRpoLagSeconds: 10, follow: true,
    });
  });
});

describe('errors an operator can act on', () => {
  test('a Region with no runbooks deployed', async () => {
    const { code, err } = await run(['switchover', '--to', 'eu-west-1']);
    expect(code).toBe(EXIT.failed);
    expect(err[0]).toBe('error: no FailoverAutomation runbooks are deployed in eu-west-1 (no SSM parameter /cdk-cross-region-failover/<name>/runbooks there): ' +
      'check the Region, or deploy the stacks of that Region first');
  });

  test('a Region that is not one of the deployment\'s', async () => {
    const { code, err, started } = await run(['switchover', '--to', 'eu-west-1'], (f) => {
      f.automation('eu-west-1').parameters.set(runbooksParameterName('orders'), publishedParameters().get(runbooksParameterName('orders'))!);
    });
    expect(code).toBe(EXIT.usage);
    expect(err[0]).toBe("error: 'eu-west-1' is not a Region of 'orders': its Regions are us-east-1, us-west-2");
    expect(started).toEqual([]);
  });

  test('a name that is not deployed there, and two deployments with no --name', async () => {
    const missing = await run(['switchover', '--to', WEST, '--name', 'payments']);
    expect(missing.err[0]).toBe("error: no runbooks named 'payments' in us-west-2 (SSM parameter /cdk-cross-region-failover/payments/runbooks not found): " +
      'check --name and the Region; a FailoverAutomation stack writes it in every Region it covers');
    const two = await run(['switchover', '--to', WEST], (f) => f.automation(WEST).parameters.set(runbooksParameterName('payments'), '{}'));
    expect(two.code).toBe(EXIT.usage);
    expect(two.err[0]).toBe('error: us-west-2 has the runbooks of orders, payments: say which with --name');
  });

  test('missing credentials', async () => {
    const { code, err, started } = await run(['switchover', '--to', WEST], (f) => {
      f.automation(WEST).failure = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    expect(code).toBe(EXIT.unreachable);
    expect(err[0]).toBe('error: no AWS credentials found: set AWS_PROFILE (after `aws sso login` for an SSO profile) or AWS_ACCESS_KEY_ID and ' +
      'AWS_SECRET_ACCESS_KEY, then run the command again (Could not load credentials from any providers)');
    expect(started).toEqual([]);
  });

  test.each([WEST, EAST])('a runbook already running, in the target Region or any other (%s): refused with status 3 before anything starts', async (where) => {
    const { code, err, started, cloud } = await run(['failback', '--to', WEST], (f) => {
      f.automation(where).addRunning({
        executionId: '11111111-2222-4333-8444-555555555555', documentName: 'orders-Switchover', status: 'Waiting', startTime: Date.UTC(2026, 10, 26, 1, 2, 3), currentStep: 'Approve',
      });
    });
    expect(code).toBe(EXIT.refused);
    expect(err[0]).toBe(`error: another run of this deployment is under way: orders-Switchover, execution 11111111-2222-4333-8444-555555555555 in ${where} ` +
      '(Waiting, at step Approve, started 2026-11-26T01:02:03Z). Only one run may move the writer or the traffic at a time: let it finish ' +
      '(`npx cdk-cross-region-failover status` shows it), or stop it with ' +
      `aws ssm stop-automation-execution --region ${where} --automation-execution-id 11111111-2222-4333-8444-555555555555`);
    expect(started).toEqual([]);
    expect(changes(cloud)).toEqual([]);
  });

  test('a Region that cannot be asked for runs under way is named, and the run goes on', async () => {
    const { code, err } = await run(['switchover', '--to', WEST, '--no-follow'], (f) => {
      f.automation(EAST).failure = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    });
    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([expect.stringMatching(/^warning: could not ask us-east-1 \(cannot reach AWS in us-east-1 .*\) for runs under way; a run there would not be seen$/)]);
  });

  test('a failover without --allow-data-loss starts nothing and says why', async () => {
    const { code, err, started } = await run(['failover', '--to', WEST]);
    expect(code).toBe(EXIT.usage);
    expect(err[0]).toMatch(/^error: a failover promotes the target without waiting for replication .* add --allow-data-loss to accept that/);
    expect(started).toEqual([]);
  });

  test.each<[Error & { code?: string }, RegExp]>([
    [Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }), /^your AWS credentials have expired: refresh them/],
    [Object.assign(new Error('User: x is not authorized to perform: ssm:StartAutomationExecution'), { name: 'AccessDeniedException' }),
      /^AWS refused the call in us-west-2: User: x is not authorized .* FailoverAutomation.grantStart \(to start and follow runbooks\) and grantStatus/],
    [Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' }), /^AWS does not accept these credentials in us-west-2/],
    [Object.assign(new Error('getaddrinfo ENOTFOUND ssm.us-west-2.amazonaws.com'), { code: 'ENOTFOUND' }), /^cannot reach AWS in us-west-2 \(ENOTFOUND: .*use another Region if this one is impaired$/],
    [Object.assign(new Error('Document orders-Switchover does not exist'), { name: 'AutomationDefinitionNotFoundException' }), /^AutomationDefinitionNotFoundException: Document/],
  ])('explains %s', (error, message) => {
    expect(explainAwsError(error, WEST)).toMatch(message);
  });
});

describe('--dry-run', () => {
  test('prints the plan and the pre-flight result, and changes nothing', async () => {
    const { code, out, started, cloud } = await run(['switchover', '--to', WEST, '--dry-run', '--max-rpo-lag', '5']);
    expect(code).toBe(EXIT.ok);
    expect(out).toEqual([
      'dry run: switchover to us-west-2; nothing will be changed',
      'would start orders-Switchover in us-west-2 with TargetRegion=us-west-2 MaxRpoLagSeconds=5',
      'its steps:',
      '  1. pre-flight',
      '  2. approval (only when RequireApproval is true)',
      '  3. give a headless target a writer instance',
      '  4. wait until the target has an available instance',
      '  5. switchover global cluster',
      '  6. wait until the target is writer',
      '  7. route traffic to the target',
      '  8. verify',
      '  9. report',
      'pre-flight checks, read-only, from us-west-2 with your credentials:',
      '  ✓ passed: target in sync (RPO lag 800 ms, measured 0 s ago), target cluster available, key enabled, instance orders-us-west-2-instance1 available, ARC data plane reachable',
    ]);
    expect(started).toEqual([]);
    expect(changes(cloud)).toEqual([]);
    expect(cloud.calls.map((c) => c.op)).toEqual(expect.arrayContaining(['secret', 'executions', 'describe', 'describeCluster', 'keyState', 'rpoLag']));
  });

  test('reports a refusal with exit status 3', async () => {
    const { code, out, cloud } = await run(['switchover', '--to', WEST, '--dry-run'], (f) => f.cloud.lagMs.set('orders-us-west-2', 60_000));
    expect(code).toBe(EXIT.refused);
    expect(out).toContain('  ✗ refused: us-west-2 lags 60000 ms behind the writer, over the 30000 ms allowed (MaxRpoLagSeconds); wait for it to catch up');
    expect(changes(cloud)).toEqual([]);
  });

  test('a failover dry run shows every other check, and that the real run needs --allow-data-loss', async () => {
    const { code, out, started } = await run(['failover', '--to', WEST, '--dry-run']);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain('  5. route traffic to the target');
    expect(out.find((l) => l.startsWith('  ✓ passed:'))).toMatch(/ARC data plane reachable; global cluster reachable: will route, then fail over; .*; RPO lag 800 ms, measured 0 s ago/);
    expect(out[out.length - 1]).toBe('note: the real run needs --allow-data-loss');
    expect(started).toEqual([]);
  });

  test('names a run already under way in another Region: the pre-flight refuses', async () => {
    const { code, out } = await run(['switchover', '--to', WEST, '--dry-run'], (f) => {
      f.automation(EAST).addRunning({ executionId: 'e-1', documentName: 'orders-Failback', status: 'InProgress' });
    });
    expect(code).toBe(EXIT.refused);
    expect(out[out.length - 1]).toMatch(/^ {2}✗ refused: another run of this deployment is under way: orders-Failback, execution e-1 in us-east-1/);
  });
});

describe('a run, followed step by step', () => {
  test('every step succeeds: progress in order, then the report', async () => {
    const { code, out, err, started, cloud } = await run(['switchover', '--to', WEST, '--poll', '1']);
    expect(err).toEqual([]);
    expect(code).toBe(EXIT.ok);
    expect(started).toEqual([{ documentName: 'orders-Switchover', parameters: { TargetRegion: [WEST] } }]);
    expect(out[0]).toMatch(/^started orders-Switchover in us-west-2: execution \S+$/);
    expect(out[1]).toMatch(/^ {2}console: https:\/\/us-west-2\.console\.aws\.amazon\.com\/systems-manager\/automation\/execution\/\S+\?region=us-west-2$/);
    const done = out.filter((l) => l.startsWith('  ✓ ')).map((l) => l.replace(/, \d+ s: .*/, ''));
    expect(done).toEqual([
      '  ✓ pre-flight', '  ✓ give a headless target a writer instance (skipped)', '  ✓ wait until the target has an available instance',
      '  ✓ switchover global cluster', '  ✓ wait until the target is writer', '  ✓ route traffic to the target', '  ✓ verify',
    ]);
    expect(out[out.length - 1]).toMatch(/^switchover to us-west-2 succeeded; measured recovery time \d+ s\. Steps: pre-flight done/);
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(cloud.routing.states.get(controlOf(WEST))).toBe('On');
  });

  test('watch follows a run already started, to its report, finding the deployment from the execution; a missing execution is named', async () => {
    const f = fakeDependencies();
    expect(await runCli(['switchover', '--to', WEST, '--no-follow'], f.deps, f.io)).toBe(EXIT.ok);
    const id = /execution (\S+)$/.exec(f.out[0])![1];
    f.out.length = 0;
    expect(await runCli(['watch', id, '--region', WEST, '--poll', '1'], f.deps, f.io)).toBe(EXIT.ok);
    expect(f.out[0]).toMatch(new RegExp(`^following orders-Switchover in us-west-2: execution ${id} \\(\\w+\\); Ctrl-C stops following, not the run$`));
    expect(f.out[f.out.length - 1]).toMatch(/^switchover to us-west-2 succeeded; measured recovery time/);
    // A second deployment in the Region: the execution's document says which one it is.
    f.automation(WEST).parameters.set(runbooksParameterName('payments'), '{}');
    f.out.length = 0;
    expect(await runCli(['watch', id, '--region', WEST, '--poll', '1'], f.deps, f.io)).toBe(EXIT.ok);
    expect(f.out[0]).toMatch(/^following orders-Switchover in us-west-2/);
    const missing = await run(['watch', '11111111-2222-4333-8444-555555555555', '--region', WEST]);
    expect(missing.code).toBe(EXIT.failed);
    expect(missing.err[0]).toMatch(/AutomationExecutionNotFoundException/);
  });

  test('--output json: an error is one JSON document on stdout too', async () => {
    const { code, out } = await run(['switchover', '--to', 'eu-west-1', '--output', 'json']);
    expect(code).toBe(EXIT.failed);
    expect(JSON.parse(out.join('\n'))).toEqual({ error: { message: expect.stringMatching(/^no FailoverAutomation runbooks are deployed in eu-west-1/), exitCode: 1 } });
  });

  test('a run started, then unreachable while followed: exit 4, and the command that follows it again', async () => {
    const f = fakeDependencies();
    const ssm = f.automation(WEST);
    const start = ssm.start.bind(ssm);
    ssm.start = async (...a: Parameters<typeof start>) => {
      const id = await start(...a);
      ssm.failure = Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' });
      return id;
    };
    const code = await runCli(['switchover', '--to', WEST], f.deps, f.io);
    expect(code).toBe(EXIT.unreachable);
    const id = /execution (\S+)$/.exec(f.out[0])![1];
    expect(f.err[0]).toMatch(new RegExp(`^error: cannot reach AWS in us-west-2 .* The run ${id} was started and goes on: follow it again with ` +
      `npx cdk-cross-region-failover watch ${id} --region us-west-2$`));
  });

  test('--output json: progress on stderr, the report as one JSON document on stdout', async () => {
    const { code, out, err } = await run(['switchover', '--to', WEST, '--poll', '1', '--output', 'json']);
    expect(code).toBe(EXIT.ok);
    // stdout is the JSON document alone.
    const doc = JSON.parse(out.join('\n'));
    expect(doc).toMatchObject({ runbook: 'switchover', region: WEST, status: 'Success', report: { outcome: 'succeeded', targetRegion: WEST } });
    expect(doc.console).toMatch(/^https:\/\/us-west-2\.console\.aws\.amazon\.com\/systems-manager\/automation\/execution\//);
    expect(err[0]).toMatch(/^started orders-Switchover in us-west-2/);
  });

  test('a long wait shows what it is waiting for while it waits', async () => {
    const { code, out } = await run(['switchover', '--to', WEST], (f) => {
      // The writer moves after 30 polls of 10 s: longer than one 3-minute poll window.
      f.cloud.transitionPolls = 30;
    });
    expect(code).toBe(EXIT.ok);
    const waiting = out.filter((l) => l.startsWith('  … wait until the target is writer'));
    expect(waiting).toEqual(['  … wait until the target is writer', '  … wait until the target is writer: still waiting until us-west-2 is the writer (last seen: switching-over in progress)']);
    expect(out.indexOf(waiting[1])).toBeLessThan(out.findIndex((l) => l.startsWith('  ✓ wait until the target is writer, 300 s')));
  });

  test('a failing step: marked, then the report says where and why', async () => {
    const { code, out } = await run(['switchover', '--to', WEST], (f) => {
      f.cloud.fail('switchover', 'InvalidGlobalClusterStateFault: the global cluster is being modified', 2);
    });
    expect(code).toBe(EXIT.failed);
    expect(out).toContain('  ✗ switchover global cluster: failed: InvalidGlobalClusterStateFault: the global cluster is being modified');
    expect(out[out.length - 1]).toMatch(/^switchover to us-west-2 failed: InvalidGlobalClusterStateFault: the global cluster is being modified\./);
  });

  test('a pre-flight refusal in the real run: exit status 3, nothing changed', async () => {
    const { code, out, cloud } = await run(['failback', '--to', WEST], (f) => {
      f.cloud.secretPresent = false;
    });
    expect(code).toBe(EXIT.refused);
    expect(out.find((l) => l.startsWith('  ✗ pre-flight: refused: '))).toMatch(/the database secret 'orders-aurora-master' has no usable replica in us-west-2/);
    expect(out[out.length - 1]).toMatch(/^failback to us-west-2 refused: /);
    expect(changes(cloud)).toEqual([]);
  });

  test('a run waiting for approval says who may approve and how, then goes on once approved', async () => {
    let printedWaiting = false;
    const { code, out, started } = await run(['switchover', '--to', WEST, '--require-approval', '--approver', ONCALL], (f) => {
      f.automation(WEST).approve = () => new Promise<boolean>((resolve) => {
        const check = () => {
          printedWaiting = f.out.some((l) => l.includes('⏸'));
          if (printedWaiting) resolve(true);
          else setImmediate(check);
        };
        check();
      });
    });
    expect(printedWaiting).toBe(true);
    expect(code).toBe(EXIT.ok);
    expect(started[0].parameters).toEqual({ TargetRegion: [WEST], RequireApproval: ['true'], Approvers: [ONCALL] });
    const waiting = out.find((l) => l.includes('⏸'))!;
    expect(waiting).toMatch(new RegExp(`^ {2}⏸ approval: waiting for an approver \\(${ONCALL}\\): aws ssm send-automation-signal --region us-west-2 ` +
      '--automation-execution-id \\S+ --signal-type Approve \\(or Reject, which changes nothing\\)$'));
    const order = ['  ✓ pre-flight', waiting, '  ✓ approval', '  ✓ switchover global cluster'].map((prefix) => out.findIndex((l) => l.startsWith(prefix)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
  });

  test('a rejected approval ends the run refused, nothing changed', async () => {
    const { code, out, cloud } = await run(['switchover', '--to', WEST, '--require-approval', '--approver', ONCALL], (f) => {
      f.automation(WEST).approve = async () => false;
    });
    expect(code).toBe(EXIT.refused);
    expect(out).toContain('  ✗ approval: failed: Step was rejected by an approver');
    expect(out[out.length - 1]).toMatch(/^switchover to us-west-2 refused: the approval was not given/);
    expect(changes(cloud)).toEqual([]);
  });

  test('--no-follow starts the run and returns', async () => {
    const { code, out, polls } = await run(['failover', '--to', WEST, '--allow-data-loss', '--no-follow']);
    expect(code).toBe(EXIT.ok);
    expect(out).toHaveLength(2);
    expect(polls()).toBe(0);
  });

  test('failover options: --allow-detach and --max-data-loss become AllowDetach and MaxDataLossSeconds', async () => {
    const { code, started } = await run(['failover', '--to', WEST, '--allow-data-loss', '--allow-detach', '--max-data-loss', '120', '--no-follow']);
    expect(code).toBe(EXIT.ok);
    expect(started[0].parameters).toEqual({ TargetRegion: [WEST], AllowDataLoss: ['true'], AllowDetach: ['true'], MaxDataLossSeconds: ['120'] });
  });

  test('rebuild starts the rebuild runbook of the Region named; where traffic goes to a member, its pre-flight refuses', async () => {
    const { code, out, started } = await run(['rebuild', '--to', EAST]);
    expect(started[0]).toEqual({ documentName: 'orders-Rebuild', parameters: { TargetRegion: [EAST] } });
    expect(code).toBe(EXIT.refused);
    expect(out[out.length - 1]).toMatch(/^rebuild to us-east-1 refused: us-east-1 serves traffic: its cluster is the data/);
  });

  test('a failover followed to the end reports the data-loss window', async () => {
    const { code, out, started } = await run(['failover', '--to', WEST, '--allow-data-loss']);
    expect(code).toBe(EXIT.ok);
    expect(started[0].parameters).toEqual({ TargetRegion: [WEST], AllowDataLoss: ['true'] });
    expect(out[out.length - 1]).toMatch(/^failover to us-west-2 succeeded; .*; data-loss window 800 ms/);
  });
});

describe('evacuate and restore (active/active routing)', () => {
  /** Every Region publishes active/active routing, and every routing control is On. */
  const activeActive = (f: ReturnType<typeof fakeDependencies>) => {
    for (const r of REGIONS) {
      const published = publishedParameters(true);
      f.automation(r).parameters.clear();
      for (const [k, v] of published) f.automation(r).parameters.set(k, v);
      f.cloud.routing.states.set(controlOf(r), 'On');
    }
  };

  test.each<[string[], string]>([
    [['evacuate', '--to', WEST], 'evacuate needs --from <region>: the Region to take out of service'],
    [['evacuate', '--from', EAST], 'evacuate needs --to <region>: the Region the run happens in, which stays in service'],
    [['evacuate', '--from', EAST, '--to', EAST], '--from and --to are both us-east-1: run the evacuation from a Region that stays in service'],
    [['switchover', '--to', WEST, '--from', EAST], '--from is for evacuate only; a switchover runs in --to and acts on it'],
    [['status', '--region', EAST, '--from', WEST], 'status takes no --from'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(message);
  });

  test('the help lists both, with their options', () => {
    expect(USAGE).toMatch(/\n {2}evacuate {4}active\/active: take --from out of service, run from --to/);
    expect(USAGE).toMatch(/\n {2}restore {5}active\/active: put --to back into service/);
    expect(commandHelp('evacuate')).toMatch(/^usage: npx cdk-cross-region-failover evacuate --from <region> --to <region> \[options\]/);
    expect(commandHelp('evacuate')).toContain('--from <region>        evacuate: the Region to take out of service');
    // --to is the Region that stays, in an evacuation's own help; the Region to activate in the others'.
    expect(commandHelp('evacuate')).toContain('--to <region>          the Region that stays in service (it takes the writer if --from holds it); the runbook runs there');
    expect(commandHelp('evacuate')).not.toContain('the Region to activate');
    expect(commandHelp('restore')).toContain('--to <region>          the Region to activate; the runbook runs there');
  });

  test('a dry run of an evacuation: the plan and the real pre-flight, from the Region that stays; nothing changes', async () => {
    const { code, out, started, cloud } = await run(['evacuate', '--from', EAST, '--to', WEST, '--dry-run'], activeActive);
    expect(code).toBe(EXIT.ok);
    expect(out[0]).toBe('dry run: evacuate us-east-1, from us-west-2; nothing will be changed');
    expect(out[1]).toBe('would start orders-Evacuate in us-west-2 with TargetRegion=us-east-1');
    expect(out.find((l) => l.startsWith('  ✓ passed: '))).toMatch(/us-east-1 holds the writer, which moves to us-west-2 first/);
    expect(started).toEqual([]);
    expect(changes(cloud)).toEqual([]);
  });

  test('an evacuation followed to its end: the writer moved out first, then the Region turned Off; then a restore puts it back', async () => {
    const { code, out, started, cloud, deps, io } = await run(['evacuate', '--from', EAST, '--to', WEST, '--poll', '1'], activeActive);
    expect(code).toBe(EXIT.ok);
    expect(started).toEqual([{ documentName: 'orders-Evacuate', parameters: { TargetRegion: [EAST] } }]);
    expect(out[out.length - 1]).toMatch(/^evacuate of us-east-1 succeeded; measured recovery time \d+ s\./);
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect([cloud.routing.states.get(controlOf(EAST)), cloud.routing.states.get(controlOf(WEST))]).toEqual(['Off', 'On']);

    cloud.replicate();
    for (let i = 0; i < 5; i++) cloud.advance(1000);
    expect(await runCli(['restore', '--to', EAST, '--poll', '1'], deps, io)).toBe(EXIT.ok);
    expect([cloud.routing.states.get(controlOf(EAST)), cloud.routing.states.get(controlOf(WEST))]).toEqual(['On', 'On']);
    expect(cloud.writer()).toBe(arnOf(WEST));
  });

  test('on routing that serves one Region at a time, there is no such runbook: said, nothing started', async () => {
    const { code, err, started } = await run(['restore', '--to', EAST]);
    expect(code).toBe(EXIT.failed);
    expect(err.join('\n')).toMatch(/'orders' has no restore runbook: its routing serves one Region at a time; evacuate and restore are for active\/active routing/);
    expect(started).toEqual([]);
  });
});

describe('status', () => {
  test('the writer, the traffic, the lag and the runs under way, per Region', async () => {
    const { code, out } = await run(['status']);
    expect(code).toBe(EXIT.ok);
    expect(out).toEqual([
      "orders: global database 'orders' (available), read from us-east-1",
      '',
      'REGION     DATABASE               TRAFFIC  RPO LAG  RUNBOOKS READY  RUNBOOKS RUNNING  LAST RUN',
      'us-east-1  writer                 On       -        not evaluated   none              none in 8 days',
      'us-west-2  secondary (connected)  Off      800 ms   not evaluated   none              none in 8 days',
    ]);
  });

  test('the last readiness evaluation per Region: its verdict and age, and what would refuse', async () => {
    const { code, out } = await run(['status'], (f) => {
      // As the step function publishes them: us-east-1 ready 10 minutes ago, us-west-2 lagging 25 minutes ago (a failback
      // waits for the lag to pass, so only the switchover would refuse).
      const lagging = new FakeCloud(EAST);
      lagging.lagMs.set(`orders-${WEST}`, 45_000);
      const publish = async (region: string, cloud: FakeCloud, agoMs: number) => {
        const topology = { ...TOPOLOGY, localClusterSpec: specOf(region) };
        const evaluation = await evaluateReadiness({ cloud: cloud.from(region), topology, localRegion: region });
        const at = new Date(f.cloud.now() - agoMs).toISOString();
        f.automation(region).parameters.set('/cdk-cross-region-failover/orders/readiness', JSON.stringify({ ...evaluation, evaluatedAt: at }));
      };
      return Promise.all([publish(EAST, new FakeCloud(EAST), 10 * 60_000), publish(WEST, lagging, 25 * 60_000)]);
    });
    expect(code).toBe(EXIT.ok);
    expect(out.slice(2)).toEqual([
      'REGION     DATABASE               TRAFFIC  RPO LAG  RUNBOOKS READY               RUNBOOKS RUNNING  LAST RUN',
      'us-east-1  writer                 On       -        yes (10 min ago)             none              none in 8 days',
      'us-west-2  secondary (connected)  Off      800 ms   no: switchover (25 min ago)  none              none in 8 days',
      '',
      'not ready at the last evaluation:',
      '  us-west-2 switchover: would refuse: us-west-2 lags 45000 ms behind the writer, over the 30000 ms allowed (MaxRpoLagSeconds); wait for it to catch up',
    ]);
  });

  test('an interrupted run: the writer is not where the traffic goes', async () => {
    const cloud = new FakeCloud(WEST);
    cloud.routing.states.set(controlOf(WEST), 'Off');
    cloud.routing.states.set(controlOf(EAST), 'On');
    const f = fakeDependencies(cloud);
    const code = await runCli(['status', '--region', WEST], f.deps, f.io);
    expect(code).toBe(EXIT.ok);
    expect(f.out[f.out.length - 1]).toBe('! the writer (us-west-2) is not the Region receiving traffic (us-east-1): a run was interrupted; run the same runbook again to finish it');
  });

  test('what cannot be read is shown as unknown, with the reason, and the status is 1', async () => {
    const { code, out } = await run(['status'], (f) => {
      f.cloud.routing.failOn('us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2');
      f.automation(WEST).failure = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    });
    expect(code).toBe(EXIT.failed);
    expect(out[4]).toMatch(/^us-west-2 {2}secondary \(connected\) {2}unknown {2}800 ms {3}unknown {9}unknown {11}unknown$/);
    expect(out.some((l) => /^! the routing controls could not be read: GetRoutingControlState failed on all 5 ARC cluster endpoints/.test(l))).toBe(true);
  });

  test('an ARC failure is told one line per endpoint', async () => {
    const { out } = await run(['status'], (f) => f.cloud.routing.failOn('us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'));
    const lines = out.slice(out.findIndex((l) => l.startsWith('! the routing controls')));
    expect(lines[0]).toBe('! the routing controls could not be read: GetRoutingControlState failed on all 5 ARC cluster endpoints:');
    expect(lines.slice(1, 6).map((l) => l.trim().split(/\s+/)[0])).toEqual(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2']);
    expect(lines.every((l) => l.length <= 200)).toBe(true);
  });

  test('--output json: one JSON document on stdout, per Region the database, traffic, lag, readiness and runs', async () => {
    const { code, out, err } = await run(['status', '--output', 'json']);
    expect(code).toBe(EXIT.ok);
    // stdout is the JSON document alone.
    const doc = JSON.parse(out.join('\n'));
    expect(doc).toMatchObject({ name: 'orders', readFrom: EAST, globalDatabase: { identifier: 'orders', status: 'available' }, problems: [], interrupted: false });
    expect(doc.regions.map((r: { region: string; database: string; traffic: string }) => [r.region, r.database, r.traffic]))
      .toEqual([[EAST, 'writer', 'On'], [WEST, 'secondary (connected)', 'Off']]);
    expect(doc.regions[1].rpoLag).toEqual({ valueMs: 800, at: expect.any(String) });
    expect(doc.regions[0].running).toEqual([]);
    // The human-readable table went to stderr.
    expect(err.join('\n')).toContain('RUNBOOKS READY');
  });

  test('the last ended run per Region, in the table and every one of them in the JSON, the last ended first', async () => {
    const f = fakeDependencies();
    expect(await runCli(['switchover', '--to', WEST], f.deps, f.io)).toBe(EXIT.ok);
    // A refused run ends too: us-west-2 is the writer now.
    expect(await runCli(['switchover', '--to', WEST], f.deps, f.io)).not.toBe(EXIT.ok);
    f.out.length = 0;
    expect(await runCli(['status'], f.deps, f.io)).toBe(EXIT.ok);
    expect(f.out[3]).toMatch(/^us-east-1 .* none in 8 days$/);
    expect(f.out[4]).toMatch(/^us-west-2 {2}writer .* switchover (Failed|Success) \(0 min ago\)$/);
    f.out.length = 0;
    await runCli(['status', '--output', 'json'], f.deps, f.io);
    const west = (JSON.parse(f.out.join('\n')) as { regions: { region: string; lastRuns: { documentName: string; status: string; endTime: string }[] }[] }).regions[1];
    expect(west.lastRuns.map((r) => r.documentName)).toEqual(['orders-Switchover', 'orders-Switchover']);
    expect(Date.parse(west.lastRuns[0].endTime)).toBeGreaterThanOrEqual(Date.parse(west.lastRuns[1].endTime));
    expect(west.lastRuns.map((r) => r.status).sort()).toEqual(['Failed', 'Success']);
  });

  test('needs a Region to read from', async () => {
    const f = fakeDependencies();
    const code = await runCli(['status'], { ...f.deps, defaultRegion: undefined }, f.io);
    expect(code).toBe(EXIT.usage);
    expect(f.err[0]).toBe('error: say which Region to read the topology from: --region <region>, AWS_REGION, or a region in the profile\'s configuration ' +
      '(any Region of the deployment will do)');
  });
});

test('FakeAutomation refuses an unknown document like SSM', async () => {
  await expect(new FakeAutomation(WEST, new FakeCloud()).start('orders-Rollback', {})).rejects.toThrow('Document orders-Rollback does not exist');
});
