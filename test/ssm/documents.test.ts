import { checkDocument } from './document-check';
import { documentSettings, STEP_FUNCTION } from './document-settings';
import { arnOf, controlOf, FakeCloud, TOPOLOGY } from './fake-cloud';
import { Simulation } from './simulator';
import { renderRunbookDocument, RunbookDocumentSettings } from '../../src/ssm/documents';
import { RUNBOOK_NAMES, RunbookName } from '../../src/ssm/runbooks';
import { errorMessageOf, handleStep, reportFromExecution, StepEvent } from '../../src/ssm/step-handler';
import { ENDPOINTS } from '../arc/fake-data-plane';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FUNCTION = STEP_FUNCTION;

function settings(runbook: RunbookName, region = WEST, extra: Partial<RunbookDocumentSettings> = {}): RunbookDocumentSettings {
  return documentSettings(runbook, region, extra);
}

function routingOf(cloud: FakeCloud) {
  return { [EAST]: cloud.routing.states.get(controlOf(EAST)), [WEST]: cloud.routing.states.get(controlOf(WEST)) };
}

/** Simulates the document of `runbook` in `region`, the step function running against `cloud`. */
async function simulate(runbook: RunbookName, cloud: FakeCloud, parameters: Record<string, unknown>, options: {
  region?: string;
  approve?: () => Promise<boolean>;
  extra?: Partial<RunbookDocumentSettings>;
} = {}) {
  const region = options.region ?? WEST;
  const doc = renderRunbookDocument(settings(runbook, region, options.extra));
  const invocations: StepEvent[] = [];
  let sim: Simulation;
  sim = new Simulation(doc, {
    invoke: async (fn, payload) => {
      expect(fn).toBe(FUNCTION);
      invocations.push(payload);
      return {
        ...(await handleStep(payload, {
          region,
          cloud,
          loadTopology: async () => TOPOLOGY,
          getExecution: async () => sim.view(),
        })),
      };
    },
    approve: options.approve,
    now: () => cloud.now(),
    sleep: (ms) => cloud.sleep(ms),
  });
  const result = await sim.run(parameters);
  return { result, invocations, sim };
}

describe('the rendered documents', () => {
  test.each(RUNBOOK_NAMES.flatMap((r) => [[r, false], [r, true]] as [RunbookName, boolean][]))('%s (approval %s) passes the step-by-step check', (runbook, requireApproval) => {
    const doc = renderRunbookDocument(settings(runbook, WEST, { requireApproval, approvers: requireApproval ? ['arn:aws:iam::111111111111:role/oncall'] : [] }));
    expect(checkDocument(doc)).toEqual([]);
  });

  test('the check catches what it is there to catch', () => {
    const doc = renderRunbookDocument(settings('failover')) as Record<string, any>;
    doc.mainSteps[0].action = 'aws:invokeLambda';
    doc.mainSteps[1].inputs.Default = 'Nowhere';
    doc.mainSteps[5].inputs.InputPayload.Input.Detached = '{{ Verify.Detached }}';
    doc.mainSteps[6].onFailure = 'step:Missing';
    doc.parameters.AllowDataLoss.default = 'no';
    // A selector outside what the action documents, and a loop's inner output read from outside the loop.
    doc.mainSteps[6].outputs[0].Selector = '$.Detail';
    doc.mainSteps[8].inputs.InputPayload.Input.Seen = '{{ PollWritable.Waiting }}';
    expect(checkDocument(doc)).toEqual([
      'parameter AllowDataLoss: default "no" is not a Boolean',
      'step Preflight: unknown action aws:invokeLambda',
      'step ApprovalRequired: Default names step Nowhere, which does not exist',
      'step RouteTraffic: {{ Verify.Detached }}: step Verify has no output Detached',
      'step RouteTraffic: {{ Verify.Detached }} refers to a step that runs later',
      'step PromoteTarget: output Detail selector $.Detail is not one aws:executeScript documents',
      'step PromoteTarget: onFailure names step Missing, which does not exist',
      'step Verify: {{ PollWritable.Waiting }} reads a step inside loop WaitUntilWritable from outside it',
    ]);
  });

  test('the switchover document, in order', () => {
    const doc = renderRunbookDocument(settings('switchover')) as Record<string, any>;
    expect(doc.mainSteps.map((s: any) => `${s.name}:${s.action}`)).toEqual([
      'Preflight:aws:executeScript',
      'ApprovalRequired:aws:branch',
      'Approve:aws:approve',
      'PrepareTarget:aws:executeScript',
      'WaitForInstance:aws:loop',
      'SwitchoverGlobalCluster:aws:executeScript',
      'WaitForWriter:aws:loop',
      'RouteTraffic:aws:executeScript',
      'Verify:aws:executeScript',
      'Report:aws:executeScript',
    ]);
    expect(doc.parameters.TargetRegion).toMatchObject({ type: 'String', allowedValues: [WEST] });
    expect(doc.parameters.TargetRegion.default).toBeUndefined();
    // 30 min of waiting in 3-minute polls.
    expect(doc.mainSteps[6].inputs.MaxIterations).toBe(11);
    expect(doc.mainSteps[6].inputs.Steps[0].inputs.InputPayload.Input).toMatchObject({
      Step: 'WaitForWriter', Deadline: '{{ SwitchoverGlobalCluster.WaitUntil }}', WaitTimeoutSeconds: 1800, PollWindowSeconds: 180,
    });
    // Every step knows its own execution: another run of the deployment refuses this one.
    const scripts = doc.mainSteps.flatMap((st: any) => (st.action === 'aws:loop' ? st.inputs.Steps : [st])).filter((st: any) => st.action === 'aws:executeScript');
    expect(scripts).toHaveLength(8);
    expect(scripts.every((st: any) => st.inputs.InputPayload.Input.ExecutionId === '{{ automation:EXECUTION_ID }}')).toBe(true);
    // Each invokes this Region's step function in this Region, and waits longer than the function can run.
    expect(new Set(scripts.map((st: any) => JSON.stringify([st.inputs.InputPayload.FunctionName, st.inputs.InputPayload.Region,
      st.inputs.InputPayload.ReadTimeoutSeconds, st.inputs.Runtime, st.inputs.Handler])))).toEqual(new Set([JSON.stringify([STEP_FUNCTION, WEST, 260, 'python3.11', 'handler'])]));
    expect(doc.mainSteps.filter((s: any) => s.name !== 'Report' && s.action !== 'aws:branch').every((s: any) => s.onFailure === 'step:Report')).toBe(true);
  });

  test('the failback waits for the rejoin up to its own timeout, capped at the 100 iterations a loop allows', () => {
    const doc = renderRunbookDocument(settings('failback')) as Record<string, any>;
    const wait = doc.mainSteps.find((s: any) => s.name === 'WaitForRejoin');
    expect(wait.inputs.MaxIterations).toBe(81);
    expect(wait.inputs.Steps[0].inputs.InputPayload.Input).toMatchObject({ Deadline: '{{ Preflight.WaitUntil }}', WaitTimeoutSeconds: 14_400 });
  });
});

describe('simulated executions', () => {
  // The Report step logs the report as one JSON line; keep the test output readable.
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => {}));
  afterEach(() => jest.restoreAllMocks());

  test('switchover: every step runs, routing flips once after the writer moved, the report has durations and recovery time', async () => {
    const cloud = new FakeCloud(EAST);
    const { result, invocations } = await simulate('switchover', cloud, { TargetRegion: WEST });
    expect(result.status).toBe('Success');
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
    expect(invocations.map((e) => e.Step)).toEqual(['Preflight', 'PrepareTarget', 'WaitForInstance', 'SwitchoverGlobalCluster', 'WaitForWriter', 'RouteTraffic', 'Verify', 'Report']);
    const report = reportFromExecution('switchover', WEST, result.execution);
    expect(report).toMatchObject({ runbook: 'switchover', targetRegion: WEST, outcome: 'succeeded', recoveryTimeMs: 20_000 });
    expect(report.steps.map((s: any) => [s.name, s.status, s.durationMs])).toEqual([
      ['pre-flight', 'done', 0],
      ['give a headless target a writer instance', 'skipped', 0],
      ['wait until the target has an available instance', 'done', 0],
      ['switchover global cluster', 'done', 0],
      ['wait until the target is writer', 'done', 20_000],
      ['route traffic to the target', 'done', 0],
      ['verify', 'done', 0],
    ]);
    // The document's output: the outcome only (an output keeps 512 characters); the steps are in the history.
    expect(result.outputs['Report.Detail']).toBe('switchover to us-west-2 succeeded; measured recovery time 20 s.');
  });

  test('a long wait spans several loop iterations, each within its poll window', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.transitionPolls = 40; // 400 s at 10 s per poll: three 180 s windows
    const { result, sim } = await simulate('switchover', cloud, { TargetRegion: WEST });
    expect(result.status).toBe('Success');
    expect(sim.steps.filter((s) => s.stepName === 'PollWriter').map((s) => s.outputs!.Waiting[0])).toEqual(['true', 'true', 'false']);
  });

  test('a wait past its deadline fails the run, and the report says to run it again', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.transitionPolls = 10_000;
    const { result } = await simulate('switchover', cloud, { TargetRegion: WEST }, { extra: { writerWaitSeconds: 600 } });
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/switchover to us-west-2 failed: timed out after 600 s waiting until us-west-2 is the writer \(last seen: switching-over in progress\); run the runbook again to resume/);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test('a refused pre-flight ends in Report with outcome refused, and nothing changed', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 90_000);
    const { result, invocations } = await simulate('switchover', cloud, { TargetRegion: WEST });
    expect(result.status).toBe('Failed');
    expect(invocations.map((e) => e.Step)).toEqual(['Preflight', 'Report']);
    expect(result.failureMessage).toMatch(/switchover to us-west-2 refused: us-west-2 lags 90000 ms behind the writer, over the 30000 ms allowed/);
    expect(cloud.calls.some((c) => c.op === 'switchover')).toBe(false);
  });

  test('MaxRpoLagSeconds is a parameter of the run', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 90_000);
    const { result } = await simulate('switchover', cloud, { TargetRegion: WEST, MaxRpoLagSeconds: 120 });
    expect(result.status).toBe('Success');
  });

  test('a TargetRegion other than the document\'s Region is rejected before any step runs', async () => {
    await expect(simulate('switchover', new FakeCloud(EAST), { TargetRegion: EAST })).rejects.toThrow(
      'ValidationException: parameter TargetRegion value "us-east-1" is not one of ["us-west-2"]',
    );
  });

  test('failover: refused without AllowDataLoss=true', async () => {
    const cloud = new FakeCloud(EAST);
    const { result } = await simulate('failover', cloud, { TargetRegion: WEST });
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/failover to us-west-2 refused: AllowDataLoss is not true/);
    expect(cloud.routing.calls).toEqual([]);
  });

  test('failover: routes first, promotes with AllowDataLoss, and reports the data-loss window', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 1500);
    const { result, invocations } = await simulate('failover', cloud, { TargetRegion: WEST, AllowDataLoss: true });
    expect(result.status).toBe('Success');
    expect(invocations.map((e) => e.Step)).toEqual(['Preflight', 'PrepareTarget', 'WaitForInstance', 'RouteTraffic', 'PromoteTarget', 'WaitUntilWritable', 'Verify', 'Report']);
    expect(cloud.calls.find((c) => c.op === 'failover')).toBeDefined();
    expect(result.outputs['Report.Detail']).toMatch(/^failover to us-west-2 succeeded; measured recovery time 20 s; data-loss window 1500 ms/);
  });

  test('failover with the global cluster unreachable: refused without AllowDetach', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'getaddrinfo ENOTFOUND', 1000);
    const { result } = await simulate('failover', cloud, { TargetRegion: WEST, AllowDataLoss: true });
    expect(result.failureMessage).toMatch(/failover to us-west-2 refused: the global database cannot be described from us-west-2/);
    expect(cloud.calls.some((c) => c.op === 'detach')).toBe(false);
  });

  test('failover with the global cluster unreachable and AllowDetach: the detach is carried to the wait and the verification, and the report warns', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'getaddrinfo ENOTFOUND', 1000);
    const { result, invocations } = await simulate('failover', cloud, { TargetRegion: WEST, AllowDataLoss: true, AllowDetach: true });
    expect(result.status).toBe('Success');
    expect(result.outputs['Report.Detail']).toMatch(/ Warning: us-west-2 was detached from global database 'orders' and promoted on its own: .*Fence it now/);
    expect(invocations.find((e) => e.Step === 'Verify')!.Detached).toBe(true);
    expect(reportFromExecution('failover', WEST, result.execution).steps.map((s) => `${s.name} ${s.status}`)).toContain('promote the target done');
    expect(cloud.calls.some((c) => c.op === 'detach' && c.arg === arnOf(WEST))).toBe(true);
  });

  test('failover: the ARC data plane unreachable on all five endpoints is refused', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(...ENDPOINTS.map((e) => e.region));
    const { result } = await simulate('failover', cloud, { TargetRegion: WEST, AllowDataLoss: true });
    expect(result.failureMessage).toMatch(/failover to us-west-2 refused: the ARC data plane is unreachable/);
  });

  test('approval: asked after the pre-flight, before any change; a rejection is reported as refused', async () => {
    const cloud = new FakeCloud(EAST);
    let stateWhenAsked: unknown;
    const { result, invocations } = await simulate('failover', cloud, {
      TargetRegion: WEST, AllowDataLoss: true, RequireApproval: true, Approvers: ['arn:aws:iam::111111111111:role/oncall'],
    }, {
      approve: async () => {
        stateWhenAsked = routingOf(cloud);
        return false;
      },
    });
    expect(stateWhenAsked).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(invocations.map((e) => e.Step)).toEqual(['Preflight', 'Report']);
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/failover to us-west-2 refused: the approval was not given \(Failed\): nothing was changed/);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test('approval: once approved, the run goes on; the approval wait is part of the report', async () => {
    const cloud = new FakeCloud(EAST);
    const { result } = await simulate('switchover', cloud, { TargetRegion: WEST, RequireApproval: true, Approvers: ['arn:aws:iam::111111111111:role/oncall'] }, {
      approve: async () => {
        await cloud.sleep(120_000);
        return true;
      },
    });
    expect(result.status).toBe('Success');
    expect(result.outputs['Report.Detail']).toBe('switchover to us-west-2 succeeded; measured recovery time 140 s.');
    expect(reportFromExecution('switchover', WEST, result.execution).steps.slice(0, 2).map((s) => [s.name, s.status, s.durationMs]))
      .toEqual([['pre-flight', 'done', 0], ['approval', 'done', 120_000]]);
  });

  test('failback: waits for the rejoin across loop iterations, then switches back', async () => {
    const cloud = new FakeCloud(WEST);
    cloud.members = cloud.members.map((m) => (m.clusterArn === arnOf(EAST) ? { ...m, synchronizationStatus: 'pending-resync' } : m));
    const sleep = cloud.sleep.bind(cloud);
    let polls = 0;
    cloud.sleep = async (ms) => {
      if (++polls === 30) cloud.members = cloud.members.map((m) => (m.clusterArn === arnOf(EAST) ? { ...m, synchronizationStatus: 'connected' } : m));
      return sleep(ms);
    };
    const { result, sim } = await simulate('failback', cloud, { TargetRegion: EAST }, { region: EAST });
    expect(result.status).toBe('Success');
    expect(sim.steps.filter((s) => s.stepName === 'PollRejoin')).toHaveLength(2);
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test.each(['switchover', 'failover', 'failback'] as RunbookName[])('%s: a second execution after a failure at any call converges', async (runbook) => {
    const from = runbook === 'failback' ? WEST : EAST;
    const to = runbook === 'failback' ? EAST : WEST;
    const params = { TargetRegion: to, ...(runbook === 'failover' ? { AllowDataLoss: true } : {}) };
    const clean = new FakeCloud(from);
    expect((await simulate(runbook, clean, params, { region: to })).result.status).toBe('Success');
    for (let n = 1; n <= clean.callTotal; n++) {
      const cloud = new FakeCloud(from).failCall(n);
      const first = await simulate(runbook, cloud, params, { region: to });
      if (first.result.status !== 'Success') {
        const second = await simulate(runbook, cloud, params, { region: to });
        expect({ n, ok: second.result.status === 'Success' || /nothing to do/.test(second.result.failureMessage!) }).toEqual({ n, ok: true });
      }
      expect(routingOf(cloud)).toEqual({ [from]: 'Off', [to]: 'On' });
      expect(cloud.calls.filter((c) => ['switchover', 'failover', 'detach'].includes(c.op) && !c.failed)).toHaveLength(1);
    }
  });
});

describe('the simulator applies what the SSM reference documents for each action, and no more', () => {
  const doc = () => JSON.parse(JSON.stringify(renderRunbookDocument(settings('switchover', WEST)))) as Record<string, any>;
  const run = (d: Record<string, any>, invoke: (payload: Record<string, unknown>) => Promise<Record<string, unknown>>) => new Simulation(d, {
    invoke: async (_fn, payload) => invoke(payload),
    now: () => 0,
    sleep: async () => undefined,
  }).run({ TargetRegion: WEST });
  const answer = async () => ({ Detail: 'fine', Skipped: false, Waiting: false, Warning: '', WaitUntil: '0' });

  test('aws:invokeLambdaFunction with a selector inside the returned object (the form the documents used before) is refused', async () => {
    const d = doc();
    const first = d.mainSteps[0];
    d.mainSteps[0] = {
      name: first.name,
      action: 'aws:invokeLambdaFunction',
      onFailure: first.onFailure,
      inputs: { FunctionName: FUNCTION, InputPayload: first.inputs.InputPayload.Input },
      outputs: [{ Name: 'Detail', Selector: '$.Detail', Type: 'String' }],
    };
    const result = await run(d, answer);
    expect(result.execution.steps[0]).toMatchObject({
      stepName: 'Preflight',
      status: 'Failed',
      failureMessage: expect.stringContaining('selector $.Detail is not one aws:invokeLambdaFunction documents'),
    });
    // Its documented outputs are what it has: Payload is the returned object as JSON text.
    d.mainSteps[0].outputs = [{ Name: 'Payload', Selector: '$.Payload', Type: 'String' }, { Name: 'StatusCode', Selector: '$.StatusCode', Type: 'Integer' }];
    const documented = await run(d, answer);
    expect(documented.execution.steps[0]).toMatchObject({ status: 'Success', outputs: { StatusCode: ['200'], Payload: [JSON.stringify(await answer())] } });
  });

  test('aws:executeScript selects in what the handler returned, and an output longer than SSM keeps fails the step', async () => {
    const long = await run(doc(), async () => ({ ...(await answer()), Detail: 'y'.repeat(520) }));
    // The script cuts strings to 500 characters, so the value fits.
    expect(long.execution.steps[0].outputs!.Detail[0]).toHaveLength(500);
    const d = doc();
    d.mainSteps[0].outputs.push({ Name: 'All', Selector: '$.Payload', Type: 'StringMap' });
    const whole = await run(d, async () => ({ ...(await answer()), Detail: 'z'.repeat(480) }));
    expect(whole.execution.steps[0]).toMatchObject({ status: 'Failed', failureMessage: expect.stringMatching(/output All is \d+ characters; SSM keeps 512 at most/) });
  });

  test('a script that raises fails its step with the message SSM reports, and the run goes to Report', async () => {
    const result = await run(doc(), async (payload) => {
      if (payload.Step === 'Preflight') throw new Error('Refused: the target is not available');
      return answer();
    });
    expect(result.execution.steps[0]).toMatchObject({ stepName: 'Preflight', status: 'Failed' });
    expect(errorMessageOf(result.execution.steps[0].failureMessage)).toBe('Refused: the target is not available');
    expect(result.execution.steps.map((s) => s.stepName)).toEqual(['Preflight', 'Report']);
  });
});
