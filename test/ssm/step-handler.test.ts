import { FakeCloud, TOPOLOGY } from './fake-cloud';
import { handler } from '../../src/ssm/runbook-step.lambda';
import { handleStep, reportFromExecution, stepInputOf, StepHandlerDependencies } from '../../src/ssm/step-handler';

const deps = (cloud = new FakeCloud('us-east-1')): StepHandlerDependencies => ({
  region: 'us-west-2',
  cloud,
  loadTopology: async () => TOPOLOGY,
  getExecution: async () => ({ startTime: 0, steps: [] }),
});

describe('the step event', () => {
  test('reads SSM\'s string forms of booleans, numbers and string lists', () => {
    expect(stepInputOf({
      TargetRegion: 'us-west-2',
      AllowDataLoss: 'true',
      MaxRpoLagSeconds: '45',
      RequireApproval: 'False',
      Approvers: '["arn:aws:iam::111111111111:role/a","arn:aws:iam::111111111111:role/b"]',
      Deadline: '1700000000000',
      Detached: 'false',
      PollWindowSeconds: 180,
      ExecutionId: 'e-1',
      AllowDetach: 'false',
      MaxDataLossSeconds: '120',
    })).toEqual({
      targetRegion: 'us-west-2',
      executionId: 'e-1',
      allowDataLoss: true,
      allowDetach: false,
      maxDataLossMs: 120_000,
      maxRpoLagMs: 45_000,
      requireApproval: false,
      approvers: ['arn:aws:iam::111111111111:role/a', 'arn:aws:iam::111111111111:role/b'],
      pollIntervalMs: undefined,
      pollWindowMs: 180_000,
      waitTimeoutMs: undefined,
      deadline: 1_700_000_000_000,
      detached: false,
    });
    expect(stepInputOf({ TargetRegion: 'x', Approvers: 'arn:a, arn:b', Deadline: '0' })).toMatchObject({ approvers: ['arn:a', 'arn:b'], deadline: undefined });
    expect(stepInputOf({ TargetRegion: 'x', Approvers: [] }).approvers).toEqual([]);
  });

  test.each([
    [{ Step: 'Preflight', TargetRegion: 'us-west-2' }, /the step event has no Runbook \(got undefined\): the runbook document is not one this function serves; redeploy the stack/],
    [{ Runbook: 'drill', Step: 'Preflight', TargetRegion: 'us-west-2' }, /unknown runbook 'drill': expected one of switchover, failover, failback/],
    [{ Runbook: 'failover', Step: 'SwitchoverGlobalCluster', TargetRegion: 'us-west-2' }, /runbook 'failover' has no step 'SwitchoverGlobalCluster' this function runs/],
    [{ Runbook: 'switchover', Step: 'Preflight' }, /the step event has no TargetRegion/],
    [{ Runbook: 'switchover', Step: 'Preflight', TargetRegion: 'us-west-2', MaxRpoLagSeconds: 'soon' }, /the step event's MaxRpoLagSeconds is not a number: "soon"/],
  ])('refuses a malformed event %#', async (event, message) => {
    await expect(handleStep(event, deps())).rejects.toThrow(message);
  });

  test('a refusal is marked so that the report can tell it from a failure', async () => {
    await expect(handleStep({ Runbook: 'failover', Step: 'Preflight', TargetRegion: 'us-west-2' }, deps())).rejects.toThrow(/^Refused: AllowDataLoss is not true/);
  });

  test('answers every output field, with -1 and 0 for unknown lag and no deadline', async () => {
    const out = await handleStep({ Runbook: 'switchover', Step: 'Preflight', TargetRegion: 'us-west-2' }, deps());
    expect(out).toEqual({
      Detail: 'target in sync (RPO lag 800 ms, measured 0 s ago), target cluster available, key enabled, instance orders-us-west-2-instance1 available, ARC data plane reachable',
      Skipped: false,
      Waiting: false,
      DataLossWindowMs: '-1',
      DataLossMeasuredAt: '0',
      Detached: false,
      WaitUntil: '0',
      Warning: '',
    });
  });
});

describe('the report from an execution\'s history', () => {
  test('a cancelled run ended before Verify is a failure, and a Lambda error payload is unwrapped', () => {
    const report = reportFromExecution('switchover', 'us-west-2', {
      startTime: 0,
      steps: [
        { stepName: 'Preflight', action: 'aws:invokeLambdaFunction', status: 'Success', startTime: 0, endTime: 2000, outputs: { Detail: ['ok'], Skipped: ['false'] } },
        { stepName: 'ApprovalRequired', action: 'aws:branch', status: 'Success', startTime: 2000, endTime: 2000 },
        {
          stepName: 'SwitchoverGlobalCluster',
          action: 'aws:invokeLambdaFunction',
          status: 'Failed',
          startTime: 2000,
          endTime: 3000,
          failureMessage: 'Step fails when it is Executing. Fail reason: {"errorType":"Error","errorMessage":"InvalidGlobalClusterStateFault: \\"busy\\""}',
        },
        { stepName: 'Report', action: 'aws:invokeLambdaFunction', status: 'InProgress', startTime: 3000 },
      ],
    });
    expect(report).toEqual({
      runbook: 'switchover',
      targetRegion: 'us-west-2',
      outcome: 'failed',
      reason: 'InvalidGlobalClusterStateFault: "busy"',
      steps: [
        { name: 'pre-flight', status: 'done', durationMs: 2000, detail: 'ok' },
        { name: 'switchover global cluster', status: 'failed', durationMs: 1000, detail: 'InvalidGlobalClusterStateFault: "busy"' },
      ],
    });
    const cancelled = reportFromExecution('switchover', 'us-west-2', { startTime: 0, steps: [] });
    expect(cancelled).toMatchObject({ outcome: 'failed', reason: 'the run ended before its Verify step succeeded' });
  });
});

describe('the Lambda entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  test('names the missing environment variables and the fix', async () => {
    delete process.env.AURORA_TOPOLOGY_PARAMETER;
    delete process.env.ROUTING_TOPOLOGY_PARAMETER;
    process.env.AWS_REGION = 'us-west-2';
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    await expect(handler({ Runbook: 'switchover', Step: 'Preflight', TargetRegion: 'us-west-2' })).rejects.toThrow(
      'the runbook step function is missing the environment variable(s) AURORA_TOPOLOGY_PARAMETER, ROUTING_TOPOLOGY_PARAMETER: redeploy the FailoverAutomation stack of this Region',
    );
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('"step":"Preflight"'));
  });
});
