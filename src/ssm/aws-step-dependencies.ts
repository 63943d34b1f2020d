import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AutomationExecution, DescribeAutomationStepExecutionsCommand, GetAutomationExecutionCommand, GetParametersCommand, PutParameterCommand,
  SSMClient, StepExecution,
} from '@aws-sdk/client-ssm';
import { awsCloudOperations } from './aws-cloud-operations';
import { RunbookTopology } from './cloud-operations';
import { ReadinessPublisher } from './readiness';
import { AutomationExecutionView, StepHandlerDependencies } from './step-handler';
import { parseAuroraTopology, parseClusterSpec, parseRoutingTopology, runbookTopology } from './topology';
import { RoutingDataPlane } from '../arc/routing-states';

/** Where the step function runs and what it reads. */
export interface AwsStepDependenciesConfig {
  /** The Region the function runs in. */
  readonly region: string;
  /** Name of the Aurora topology parameter in that Region. */
  readonly auroraParameterName: string;
  /** Name of the routing topology parameter in that Region. */
  readonly routingParameterName: string;
  /** Name of the parameter holding how this Region's cluster was created (the rebuild runbook needs it). */
  readonly clusterSpecParameterName?: string;
  /** A different endpoint for every AWS call but ARC (tests against a local moto_server). */
  readonly endpoint?: string;
  /** The ARC data plane to use. Default: the AWS SDK client. */
  readonly routing?: RoutingDataPlane;
}

/**
 * The step handler's dependencies through the AWS SDK: the topology from the two SSM
 * parameters the stacks publish in this Region, the runbook's cloud operations, and the
 * automation execution's history. Every call stays in `config.region`.
 */
export function awsStepDependencies(config: AwsStepDependenciesConfig): StepHandlerDependencies {
  const ssm = new SSMClient({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });

  // Every parameter in one GetParameters call: one round trip per step invocation.
  const readAll = async (): Promise<[string, string, string | undefined]> => {
    const spec = config.clusterSpecParameterName ? [config.clusterSpecParameterName] : [];
    const names = [config.auroraParameterName, config.routingParameterName, ...spec];
    const out = await ssm.send(new GetParametersCommand({ Names: names }));
    const found = (name: string) => out.Parameters?.find((p) => p.Name === name)?.Value;
    const value = (name: string, writer: string) => {
      const text = found(name);
      if (text === undefined) throw new Error(`SSM parameter ${name} does not exist in ${config.region}: deploy ${writer} of this Region first.`);
      return text;
    };
    return [value(names[0], 'the database stack'), value(names[1], 'the routing stack'), names[2] ? found(names[2]) : undefined];
  };

  return {
    region: config.region,
    cloud: awsCloudOperations({ region: config.region, endpoint: config.endpoint, routing: config.routing }),

    async loadTopology(): Promise<RunbookTopology> {
      const [aurora, routing, spec] = await readAll();
      return runbookTopology(
        parseAuroraTopology(config.auroraParameterName, aurora),
        parseRoutingTopology(config.routingParameterName, routing),
        spec === undefined ? undefined : parseClusterSpec(config.clusterSpecParameterName!, spec),
      );
    },

    async getExecution(executionId: string): Promise<AutomationExecutionView> {
      return executionViewOf(await fullExecution(ssm, config.region, executionId));
    },
  };
}

/**
 * An execution with its whole step history: `GetAutomationExecution`, and when it says the
 * history was cut (`StepExecutionsTruncated`), every page of `DescribeAutomationStepExecutions`.
 */
export async function fullExecution(ssm: SSMClient, region: string, executionId: string): Promise<AutomationExecution> {
  const out = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
  const execution = out.AutomationExecution;
  if (!execution) throw new Error(`automation execution ${executionId} was not found in ${region}`);
  if (!execution.StepExecutionsTruncated) return execution;
  const steps: StepExecution[] = [];
  let token: string | undefined;
  do {
    const page = await ssm.send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: executionId, NextToken: token }));
    steps.push(...(page.StepExecutions ?? []));
    token = page.NextToken;
  } while (token);
  return { ...execution, StepExecutions: steps };
}

/** Publishes readiness evaluations through the AWS SDK, in `region`. */
export function awsReadinessPublisher(region: string, endpoint?: string): ReadinessPublisher {
  const cloudwatch = new CloudWatchClient({ region, ...(endpoint ? { endpoint } : {}) });
  const ssm = new SSMClient({ region, ...(endpoint ? { endpoint } : {}) });
  return {
    async putMetrics(namespace, data) {
      await cloudwatch.send(new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: data.map((d) => ({
          MetricName: d.metricName,
          Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Value: d.value,
          Timestamp: d.timestamp,
          Unit: 'None',
        })),
      }));
    },
    async putParameter(name, value) {
      // The tier the stack created it with: without one, PutParameter applies the account's default.
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true, Tier: 'Intelligent-Tiering' }));
    },
  };
}

/** An execution as `GetAutomationExecution` answers it, in the shape the report and the command-line tool read. */
export function executionViewOf(execution: AutomationExecution): AutomationExecutionView {
  return {
    startTime: execution.ExecutionStartTime?.getTime() ?? 0,
    steps: (execution.StepExecutions ?? []).map((s) => ({
      stepName: s.StepName ?? '',
      action: s.Action ?? '',
      status: s.StepStatus ?? 'Pending',
      startTime: s.ExecutionStartTime?.getTime(),
      endTime: s.ExecutionEndTime?.getTime(),
      outputs: s.Outputs,
      failureMessage: s.FailureMessage,
      parentStepName: s.ParentStepDetails?.StepName,
    })),
  };
}
