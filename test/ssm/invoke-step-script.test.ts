import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mirrorInvokeStepScript } from './simulator';
import { INVOKE_STEP_HANDLER, INVOKE_STEP_SCRIPT } from '../../src/ssm/invoke-step-script';
import { errorMessageOf } from '../../src/ssm/step-handler';

/**
 * The real Python script of the runbooks' steps, run by the machine's Python 3 with the
 * real botocore (installed with moto for the tests) and a boto3 whose Lambda client
 * records the call and answers what the test says. The simulator runs a TypeScript
 * mirror of the script; these tests hold both to the same behaviour.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoke-step-'));
fs.writeFileSync(path.join(dir, 'step_script.py'), INVOKE_STEP_SCRIPT);
fs.mkdirSync(path.join(dir, 'stub', 'boto3'), { recursive: true });
fs.writeFileSync(path.join(dir, 'stub', 'boto3', '__init__.py'), `
import io, json, os

class _Client:
    def __init__(self, name, region_name, config):
        self.created = {"service": name, "region_name": region_name,
                        "read_timeout": config.read_timeout, "connect_timeout": config.connect_timeout, "retries": config.retries}

    def invoke(self, **kwargs):
        with open(os.environ["STUB_CALLS"], "w") as f:
            json.dump({"client": self.created, "invoke": {**kwargs, "Payload": json.loads(kwargs["Payload"].decode("utf-8"))}}, f)
        answer = json.loads(os.environ["STUB_ANSWER"])
        response = {"StatusCode": 200, "Payload": io.BytesIO(answer["body"].encode("utf-8"))}
        if answer.get("functionError"):
            response["FunctionError"] = answer["functionError"]
        return response

def client(name, region_name=None, config=None):
    return _Client(name, region_name, config)
`);

interface Run {
  readonly returned?: Record<string, unknown>;
  readonly raised?: string;
  /** What the Lambda client was created with and called with; absent when the script never called it. */
  readonly calls?: { client: Record<string, unknown>; invoke: Record<string, unknown> };
}

function runScript(events: Record<string, unknown>, answer: { body: string; functionError?: string }): Run {
  const calls = path.join(dir, 'calls.json');
  fs.rmSync(calls, { force: true });
  const harness = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(path.join(dir, 'stub'))})`,
    `sys.path.insert(1, ${JSON.stringify(dir)})`,
    'import botocore.config  # the real one: it refuses a retries setting it does not know',
    'import step_script',
    'try:',
    `    print(json.dumps({"returned": step_script.${INVOKE_STEP_HANDLER}(json.loads(sys.argv[1]), None)}))`,
    'except Exception as e:',
    '    print(json.dumps({"raised": f"{type(e).__name__}: {e}"}))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', harness, JSON.stringify(events)], {
    encoding: 'utf8', env: { ...process.env, STUB_CALLS: calls, STUB_ANSWER: JSON.stringify(answer) },
  });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return { ...JSON.parse(result.stdout), calls: fs.existsSync(calls) ? JSON.parse(fs.readFileSync(calls, 'utf8')) : undefined };
}

const EVENTS = {
  FunctionName: 'orders-runbook-steps',
  Region: 'us-west-2',
  ReadTimeoutSeconds: 260,
  Input: { Runbook: 'failover', Step: 'Preflight', TargetRegion: 'us-west-2', AllowDataLoss: true, MaxDataLossSeconds: 0, Approvers: ['arn:aws:iam::111111111111:role/oncall'] },
};

test('invokes the step function once, in the given Region, with the Input as the payload, and waits longer than it may run', () => {
  const run = runScript(EVENTS, { body: JSON.stringify({ Detail: 'ok', Waiting: false, WaitUntil: '0' }) });
  expect(run.calls!.client).toEqual({ service: 'lambda', region_name: 'us-west-2', read_timeout: 260, connect_timeout: 10, retries: { total_max_attempts: 1 } });
  expect(run.calls!.invoke).toEqual({ FunctionName: 'orders-runbook-steps', InvocationType: 'RequestResponse', Payload: EVENTS.Input });
  expect(run.returned).toEqual({ Detail: 'ok', Waiting: false, WaitUntil: '0' });
});

test('the answer is returned as the step\'s Payload, strings cut to 500 characters, other values as they are; the mirror agrees', async () => {
  const answer = { Detail: 'x'.repeat(700), Waiting: true, Count: 3, Warning: '' };
  const run = runScript(EVENTS, { body: JSON.stringify(answer) });
  expect(run.returned).toEqual({ Detail: `${'x'.repeat(499)}\u2026`, Waiting: true, Count: 3, Warning: '' });
  expect((run.returned!.Detail as string).length).toBe(500);
  expect(await mirrorInvokeStepScript(EVENTS, async () => answer)).toEqual(run.returned);
});

test('a function error is raised with the function\'s message as JSON, which the command-line tool reads back; the mirror agrees', async () => {
  const run = runScript(EVENTS, {
    functionError: 'Unhandled',
    body: JSON.stringify({ errorType: 'Error', errorMessage: 'Refused: another run is under way in us-east-1 — wait for it', trace: ['at x'] }),
  });
  expect(run.raised).toMatch(/^RuntimeError: \{"errorType": "Error", "errorMessage": "Refused: another run/);
  // As SSM reports a script's exception (docs/aws-assumptions.md, S6).
  const failure = `Step fails when it is Poll action status for completion. ${run.raised}. Please refer to Automation Service Troubleshooting Guide for more diagnosis details.`;
  expect(errorMessageOf(failure)).toBe('Refused: another run is under way in us-east-1 — wait for it');
  await expect(mirrorInvokeStepScript(EVENTS, async () => {
    throw new Error('Refused: another run is under way in us-east-1 — wait for it');
  })).rejects.toThrow(/"errorMessage":"Refused: another run/);
});

test('a function error whose body is not JSON, and an answer that is not an object, fail the step with a message', () => {
  expect(runScript(EVENTS, { functionError: 'Unhandled', body: 'Task timed out after 240.00 seconds' }).raised)
    .toBe('RuntimeError: {"errorType": "Error", "errorMessage": "Task timed out after 240.00 seconds"}');
  expect(runScript(EVENTS, { body: '["not", "an", "object"]' }).raised)
    .toBe('RuntimeError: {"errorType": "Error", "errorMessage": "the step function answered something other than an object"}');
});

test('an InputPayload without what the script needs fails the step before any call, naming it; the mirror agrees', async () => {
  const { Input: _input, ...withoutInput } = EVENTS;
  const run = runScript(withoutInput, { body: '{}' });
  expect(run).toEqual({ raised: "KeyError: 'Input'", calls: undefined });
  await expect(mirrorInvokeStepScript(withoutInput, async () => ({}))).rejects.toThrow("KeyError: 'Input'");
});
