/**
 * CloudFormation custom resource of every Region's runbooks: runs the self-test
 * automation on create and update (`self-test-resource.ts`) and answers CloudFormation
 * with its outcome, before the function's own time runs out.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAutomationExecutionCommand, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { runSelfTestResource, SelfTestResourceEvent } from './self-test-resource';
import { failedResponse, respond } from '../cfn-response';

interface CloudFormationRequest extends SelfTestResourceEvent {
  readonly ResponseURL: string;
  readonly RequestId: string;
  readonly StackId: string;
}

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back to answer CloudFormation before Lambda stops the function. */
const RESPONSE_RESERVE_MS = 15_000;

export async function handler(event: CloudFormationRequest, context?: LambdaContext): Promise<void> {
  const region = process.env.AWS_REGION!;
  const ssm = new SSMClient({ region });
  const budget = Math.max((context?.getRemainingTimeInMillis() ?? 600_000) - RESPONSE_RESERVE_MS, 0);
  let body: Record<string, unknown>;
  try {
    const result = await runSelfTestResource(event, {
      region,
      async start(documentName) {
        const out = await ssm.send(new StartAutomationExecutionCommand({ DocumentName: documentName }));
        if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} answered no execution id`);
        return out.AutomationExecutionId;
      },
      async get(executionId) {
        const { AutomationExecution: e } = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
        return {
          status: e?.AutomationExecutionStatus ?? 'Pending',
          failureMessage: e?.FailureMessage,
          steps: (e?.StepExecutions ?? []).map((s) => ({
            stepName: s.StepName ?? '',
            status: s.StepStatus ?? 'Pending',
            failureMessage: s.FailureMessage,
          })),
        };
      },
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async stackStatus(stackId) {
        const out = await new CloudFormationClient({ region }).send(new DescribeStacksCommand({ StackName: stackId }));
        return out.Stacks?.[0]?.StackStatus;
      },
    }, budget);
    console.log(JSON.stringify({ request: event.RequestType, document: event.ResourceProperties.DocumentName, ...result.data }));
    body = { Status: 'SUCCESS', PhysicalResourceId: result.physicalResourceId, Data: result.data };
  } catch (e) {
    body = failedResponse(event, e, 'self-test');
  }
  await respond(event.ResponseURL, { ...body, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
}
