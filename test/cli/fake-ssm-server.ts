import * as http from 'http';
import { AddressInfo } from 'net';
import { FakeAutomation } from './fake-automation';

/**
 * SSM over HTTP, speaking the awsJson1_1 protocol of `@aws-sdk/client-ssm`
 * (`AmazonSSM.<Operation>`) for the five calls the command-line tool makes, backed by a
 * {@link FakeAutomation}. Moto implements none of the automation calls; this lets the
 * tool's real SDK client, its request and its response parsing, run against executions
 * of the real documents.
 */
export class FakeSsmServer {
  public readonly operations: string[] = [];
  /** The Filters of each DescribeAutomationExecutions request. */
  public readonly describeFilters: unknown[] = [];
  /** Accept requests and never answer, like an impaired Region. */
  public hanging = false;
  /** More ended runs to list (DescribeAutomationExecutions metadata), in the order given. */
  public endedRuns: object[] = [];
  /** List DescribeAutomationExecutions this many to a page. Default: all on one page. */
  public executionsPageSize?: number;
  /** Cut GetAutomationExecution's step history to this many steps, as SSM may (StepExecutionsTruncated). */
  public truncateStepsAt?: number;
  private server?: http.Server;
  private region?: string;

  constructor(private readonly automation: FakeAutomation) {}

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.hanging) return;
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      // The Region the request was signed for: Credential=<key>/<date>/<region>/ssm/aws4_request.
      this.region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      this.operations.push(operation);
      const reply = (status: number, doc: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(doc));
      };
      this.handle(operation, JSON.parse(body || '{}')).then(
        (doc) => reply(200, doc),
        (e: Error) => reply(400, { __type: e.name, message: e.message }),
      );
    });
  }

  private async handle(operation: string, input: Record<string, any>): Promise<object> {
    const a = this.automation;
    switch (operation) {
      case 'GetParameter': {
        const value = await a.readParameter(input.Name);
        if (value === undefined) throw Object.assign(new Error(`Parameter ${input.Name} not found.`), { name: 'ParameterNotFound' });
        return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } };
      }
      case 'GetParametersByPath': {
        // One parameter per page, so the tool's paging is exercised.
        const names = await a.listParameterNames(input.Path);
        const at = input.NextToken ? Number(input.NextToken) : 0;
        return { Parameters: names.slice(at, at + 1).map((Name) => ({ Name, Type: 'String' })), ...(at + 1 < names.length ? { NextToken: String(at + 1) } : {}) };
      }
      case 'DescribeAutomationExecutions': {
        this.describeFilters.push(input.Filters ?? []);
        const prefix: string = input.Filters?.find((f: any) => f.Key === 'DocumentNamePrefix')?.Values?.[0] ?? '';
        const running = await a.runningIn(this.region ?? a.region, ['orders-Switchover', 'orders-Failover', 'orders-Failback', 'unrelated-Document']);
        const listed = [
          ...running.map((e) => ({
            AutomationExecutionId: e.executionId,
            DocumentName: e.documentName,
            AutomationExecutionStatus: e.status,
            ExecutionStartTime: seconds(e.startTime),
            ...(e.currentStep ? { CurrentStepName: e.currentStep } : {}),
          })),
          // A run that has ended: it has an end time, whatever its status says.
          { AutomationExecutionId: 'ended-0000', DocumentName: 'orders-Switchover', AutomationExecutionStatus: 'InProgress', ExecutionStartTime: 1, ExecutionEndTime: 2 },
          ...this.endedRuns as { DocumentName: string }[],
        ].filter((e) => e.DocumentName.startsWith(prefix));
        const at = input.NextToken ? Number(input.NextToken) : 0;
        const size = this.executionsPageSize ?? listed.length;
        const next = at + size < listed.length ? { NextToken: String(at + size) } : {};
        return { AutomationExecutionMetadataList: listed.slice(at, at + size), ...next };
      }
      case 'StartAutomationExecution':
        return { AutomationExecutionId: await a.start(input.DocumentName, input.Parameters ?? {}) };
      case 'GetAutomationExecution': {
        const e = await a.getExecution(input.AutomationExecutionId);
        const steps = stepsOf(e.steps);
        const cut = this.truncateStepsAt !== undefined && steps.length > this.truncateStepsAt;
        return {
          AutomationExecution: {
            AutomationExecutionId: input.AutomationExecutionId,
            DocumentName: a.documentNameOf(input.AutomationExecutionId),
            AutomationExecutionStatus: e.status,
            ExecutionStartTime: seconds(e.startTime),
            FailureMessage: e.failureMessage,
            StepExecutions: cut ? steps.slice(0, this.truncateStepsAt) : steps,
            ...(cut ? { StepExecutionsTruncated: true } : {}),
          },
        };
      }
      case 'DescribeAutomationStepExecutions': {
        // Two steps a page, so that paging is exercised.
        const steps = stepsOf((await a.getExecution(input.AutomationExecutionId)).steps);
        const at = input.NextToken ? Number(input.NextToken) : 0;
        return { StepExecutions: steps.slice(at, at + 2), ...(at + 2 < steps.length ? { NextToken: String(at + 2) } : {}) };
      }
      default:
        throw Object.assign(new Error(`the fake SSM server does not know ${operation}`), { name: 'InvalidAction' });
    }
  }
}

/** Epoch milliseconds as the API's epoch seconds. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Steps as SSM's API writes them. */
function stepsOf(steps: Awaited<ReturnType<FakeAutomation['getExecution']>>['steps']) {
  return steps.map((s) => ({
    StepName: s.stepName,
    Action: s.action,
    StepStatus: s.status,
    ExecutionStartTime: seconds(s.startTime),
    ExecutionEndTime: seconds(s.endTime),
    Outputs: s.outputs,
    FailureMessage: s.failureMessage,
    ...(s.parentStepName ? { ParentStepDetails: { StepName: s.parentStepName, StepExecutionId: `${s.parentStepName}-id`, Action: 'aws:loop', Iteration: 1 } } : {}),
  }));
}
