import { checkDocument } from './document-check';
import { STEP_FUNCTION } from './document-settings';
import { FakeCloud, TOPOLOGY } from './fake-cloud';
import { mirrorInvokeStepScript, Simulation, SimulationHooks } from './simulator';
import { renderSelfTestDocument } from '../../src/ssm/documents';
import { handleSelfTestStep, selfTestToken } from '../../src/ssm/self-test';
import { errorMessageOf, handleStep, StepEvent } from '../../src/ssm/step-handler';

const REGION = 'us-west-2';
const ROLE = 'arn:aws:iam::111111111111:role/orders-runbooks-us-west-2';
const DOCUMENT = 'orders-SelfTest';

function render(): Record<string, any> {
  return JSON.parse(JSON.stringify(renderSelfTestDocument({
    functionName: STEP_FUNCTION, region: REGION, stepTimeoutSeconds: 290, invokeReadTimeoutSeconds: 260, assumeRoleArn: ROLE, documentName: DOCUMENT,
  })));
}

/** Runs the self-test document through the simulator and the real step handler, on the fake cloud's clock. */
async function selfTest(
  doc = render(), hooks: (invoke: SimulationHooks['invoke']) => Partial<SimulationHooks> = () => ({}), listed: 'listed' | 'not listed' = 'listed',
  visible: () => boolean = () => true,
) {
  const cloud = new FakeCloud();
  // The listing the lock reads; `visible` decides, call by call, whether it shows the run yet.
  const runningExecutions = cloud.runningExecutions.bind(cloud);
  cloud.runningExecutions = async (region, names) => (visible() ? runningExecutions(region, names) : []);
  const invoked: StepEvent[] = [];
  let sim: Simulation;
  const invoke: SimulationHooks['invoke'] = async (fn, payload) => {
    expect(fn).toBe(STEP_FUNCTION);
    invoked.push(payload);
    return { ...(await handleStep(payload, { region: REGION, cloud, loadTopology: async () => TOPOLOGY, getExecution: async () => sim.view() })) };
  };
  sim = new Simulation(doc, { invoke, now: () => cloud.now(), sleep: (ms) => cloud.sleep(ms), ...hooks(invoke) });
  // SSM lists the run it started, as DescribeAutomationExecutions does.
  if (listed === 'listed') cloud.startExecution(REGION, DOCUMENT, sim.executionId);
  const result = await sim.run({});
  const failure = result.execution.steps.find((s) => s.stepName === 'Report')?.failureMessage;
  return { result, cloud, invoked, message: failure ? errorMessageOf(failure) : undefined };
}

test('the document passes the step-by-step check and uses the runbooks\' step rendering', () => {
  const doc = render();
  expect(checkDocument(doc)).toEqual([]);
  expect(doc.mainSteps.map((s: any) => `${s.name}:${s.action}`)).toEqual([
    'Start:aws:executeScript', 'ApprovalRequired:aws:branch', 'Approve:aws:approve', 'WaitForDeadline:aws:loop',
    'BranchOnOutput:aws:branch', 'Check:aws:executeScript', 'Report:aws:executeScript',
  ]);
  expect(doc.mainSteps[0].inputs.InputPayload).toMatchObject({ FunctionName: STEP_FUNCTION, Region: REGION, ReadTimeoutSeconds: 260 });
  expect(doc.mainSteps[0].outputs.map((o: any) => o.Selector)).toEqual(['$.Payload.Detail', '$.Payload.Token', '$.Payload.WaitUntil', '$.Payload.Proceed']);
});

test('it passes where SSM behaves as the reference says, iterates its loop, skips the approval, and calls nothing but the clock', async () => {
  const { result, cloud, invoked } = await selfTest();
  expect(result.status).toBe('Success');
  expect(result.outputs['Report.Detail']).toMatch(/^self-test passed/);
  const polls = invoked.filter((e) => e.Runbook === 'SelfTest' && (e as Record<string, unknown>).Step === 'Poll');
  expect(polls.length).toBeGreaterThanOrEqual(3);
  expect(invoked.map((e) => (e as Record<string, unknown>).Step)).toEqual(['Start', ...polls.map(() => 'Poll'), 'Check', 'Report']);
  expect(result.execution.steps.some((s) => s.stepName === 'Approve')).toBe(false);
  // Only reads: the runs under way, once.
  expect(cloud.calls.filter((c) => c.op !== 'sleep').map((c) => c.op)).toEqual(['executions']);
});

describe('it fails, naming the step and the output, where SSM does not behave as the documents assume', () => {
  test('outputs not selected inside the returned object', async () => {
    // As if SSM put the handler's answer somewhere else than Payload.
    const { result, message } = await selfTest(render(), (invoke) => ({
      runScript: async (_s, _h, events) => ({ result: await mirrorInvokeStepScript(events, invoke) }),
    }));
    expect(result.status).toBe('Failed');
    expect(message).toMatch(/^self-test failed at step Start \(Failed\): .*output Detail: selector \$\.Payload\.Detail found nothing/);
  });

  test('a Boolean that does not arrive as one', async () => {
    const doc = render();
    doc.mainSteps[0].inputs.InputPayload.Input.Flag = 'yes';
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Start \(Failed\): .*Flag \(a Boolean parameter\) arrived as \\?"yes\\?"/);
  });

  test('parameters of every type the runbooks pass are references, read as the step function reads them', async () => {
    const doc = render();
    expect(doc.mainSteps[0].inputs.InputPayload.Input).toMatchObject({ Probe: '{{ Probe }}', Flag: '{{ Flag }}', Number: '{{ Number }}', List: '{{ List }}' });
    expect(Object.fromEntries(Object.entries(doc.parameters).map(([k, v]: [string, any]) => [k, v.type]))).toEqual({
      Probe: 'String', Flag: 'Boolean', Number: 'Integer', List: 'StringList', RequireApproval: 'Boolean',
    });
    expect(doc.mainSteps[5].inputs.InputPayload.Input).toMatchObject({ Token: '{{ Start.Token }}', Proceed: '{{ Start.Proceed }}', Deadline: '{{ Start.WaitUntil }}' });
  });

  test('a StringList that does not arrive as a list', async () => {
    const doc = render();
    doc.mainSteps[0].inputs.InputPayload.Input.List = 'first';
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Start \(Failed\): .*List \(a StringList parameter\) arrived as \\?"first\\?"/);
  });

  test('a Boolean output that does not reach a later step as one', async () => {
    const doc = render();
    doc.mainSteps[5].inputs.InputPayload.Input.Proceed = '';
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Check \(Failed\): .*the Boolean output Start\.Proceed reached Check as \\?"\\?"/);
  });

  test('a run the listing shows only after a while: Start asks again, then passes', async () => {
    let asked = 0;
    const { result } = await selfTest(render(), () => ({}), 'listed', () => ++asked > 3);
    expect(result.status).toBe('Success');
    expect(asked).toBe(4);
  });

  test('a loop that stops before its condition says so', async () => {
    const doc = render();
    doc.mainSteps[3].inputs.LoopCondition.BooleanEquals = false;
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Check \(Failed\): .*the loop WaitForDeadline ended 30 s before its deadline, while its LoopCondition/);
  });

  test('an output that does not reach a later step', async () => {
    const doc = render();
    doc.mainSteps[5].inputs.InputPayload.Input.Token = 'lost';
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Check \(Failed\): .*the output Start\.Token reached Check as \\?"lost\\?"/);
  });

  test('a branch on an output that does not take its choice', async () => {
    const doc = render();
    doc.mainSteps[4].inputs.Choices[0].BooleanEquals = false;
    const { message } = await selfTest(doc);
    expect(message).toBe('self-test failed: the branch BranchOnOutput did not go to Check on Start.Proceed = true');
  });

  test('a run the lock does not see', async () => {
    const { message } = await selfTest(render(), () => ({}), 'not listed');
    expect(message).toMatch(/^self-test failed at step Start \(Failed\): .*DescribeAutomationExecutions does not list this execution/);
  });

  test('the execution id not substituted', async () => {
    const doc = render();
    doc.mainSteps[0].inputs.InputPayload.Input.ExecutionId = '';
    const { message } = await selfTest(doc);
    expect(message).toMatch(/^self-test failed at step Start \(Failed\): .*'\{\{ automation:EXECUTION_ID \}\}' was not substituted/);
  });
});

test('the token is tied to the execution; an unknown step is refused', async () => {
  expect(selfTestToken('abc')).toBe('self-test-abc');
  const deps = {
    now: () => 0, sleep: async () => undefined, getExecution: async () => ({ startTime: 0, steps: [] }), runningExecutionIds: async () => [],
  };
  await expect(handleSelfTestStep({ Step: 'Promote', ExecutionId: 'abc' }, deps)).rejects.toThrow('self-test: unknown step "Promote"');
});
