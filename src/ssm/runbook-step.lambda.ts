/**
 * The runbook step function: SSM Automation invokes it once per step of the switchover,
 * failover and failback documents (see `step-handler.ts`). It runs in the Region being
 * activated and reads the topology the stacks published there.
 */
import { awsReadinessPublisher, awsStepDependencies } from './aws-step-dependencies';
import { firstEvaluation, handleReadiness, READINESS_RUNBOOK, ReadinessEvaluation, ReadinessEvent } from './readiness';
import { SELF_TEST_RUNBOOK } from './self-test';
import { handleStep, StepEvent, StepHandlerDependencies, StepOutput } from './step-handler';

let deps: StepHandlerDependencies | undefined;

function dependencies(): StepHandlerDependencies {
  if (deps) return deps;
  const missing = ['AWS_REGION', 'AURORA_TOPOLOGY_PARAMETER', 'ROUTING_TOPOLOGY_PARAMETER'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`the runbook step function is missing the environment variable(s) ${missing.join(', ')}: redeploy the FailoverAutomation ` +
      'stack of this Region');
  }
  deps = awsStepDependencies({
    region: process.env.AWS_REGION!,
    auroraParameterName: process.env.AURORA_TOPOLOGY_PARAMETER!,
    routingParameterName: process.env.ROUTING_TOPOLOGY_PARAMETER!,
    clusterSpecParameterName: process.env.CLUSTER_SPEC_PARAMETER || undefined,
  });
  return deps;
}

export async function handler(event: StepEvent): Promise<StepOutput | ReadinessEvaluation> {
  // The readiness evaluation, on its schedule: the pre-flights, read-only, then the metric.
  if (event.Runbook === READINESS_RUNBOOK) {
    return handleReadiness(event as ReadinessEvent, dependencies(), awsReadinessPublisher(process.env.AWS_REGION!));
  }
  const started = Date.now();
  const context = { runbook: event.Runbook, step: event.Step, target: event.TargetRegion };
  try {
    const output = await handleStep(event, dependencies());
    console.log(JSON.stringify({ ...context, ms: Date.now() - started, detail: output.Detail }));
    // The self-test passed on a deployment: the first readiness evaluation, so the alarm has data from the start.
    if (event.Runbook === SELF_TEST_RUNBOOK && event.Step === 'Report') {
      await firstEvaluation(process.env.READINESS_EVENT, dependencies(), awsReadinessPublisher(process.env.AWS_REGION!));
    }
    return output;
  } catch (e) {
    console.error(JSON.stringify({ ...context, ms: Date.now() - started, error: (e as Error).message }));
    throw e;
  }
}
