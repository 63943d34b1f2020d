import { awsRoutingDataPlane } from './aws-data-plane';
import { handleInitialStateEvent, InitialStateEvent } from './initial-state-handler';
import { failedResponse, respond } from '../cfn-response';

/** The fields of a CloudFormation custom resource request this function answers. */
interface CloudFormationRequest extends InitialStateEvent {
  readonly ResponseURL: string;
  readonly RequestId: string;
}

/** The part of the Lambda context the handler uses. */
interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back to answer CloudFormation before Lambda stops the function. */
const RESPONSE_RESERVE_MS = 10_000;

/**
 * CloudFormation custom resource: sets the initial routing control states on create,
 * never on update or delete. Always answers CloudFormation, even when the ARC calls
 * are still hanging as the function's time runs out, so a failure fails the deployment
 * with its reason instead of leaving the stack waiting for an hour.
 */
export async function handler(event: CloudFormationRequest, context?: LambdaContext): Promise<void> {
  const log = (line: string) => console.log(line);
  const abort = new AbortController();
  const work = handleInitialStateEvent(event, awsRoutingDataPlane(abort.signal), log);
  let timer: NodeJS.Timeout | undefined;
  let body: Record<string, unknown>;
  try {
    const deadline = new Promise<never>((_, reject) => {
      if (!context) return;
      const budget = Math.max(context.getRemainingTimeInMillis() - RESPONSE_RESERVE_MS, 0);
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(
          `no answer from the ARC cluster endpoints within ${(budget / 1000).toFixed(1)} s; ` +
            'the routing states may be unset: check them in the ARC console and deploy again',
        ));
      }, budget);
    });
    const result = await Promise.race([work, deadline]);
    body = { Status: 'SUCCESS', PhysicalResourceId: result.physicalResourceId, Data: result.data };
  } catch (e) {
    body = failedResponse(event, e, 'initial-routing-state');
  } finally {
    clearTimeout(timer);
  }
  // Answer first: CloudFormation must hear back even if a call ignores the abort.
  await respond(event.ResponseURL, {
    ...body,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  // Aborted calls settle at once; let them, so nothing runs on after the function returns.
  await work.catch(() => undefined);
}
