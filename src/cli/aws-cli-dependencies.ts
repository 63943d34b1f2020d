import {
  GetParameterCommand,
  GetParametersByPathCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { AutomationService, CliDependencies, ExecutionState } from './cli';
import { boundedRequests } from '../bounded-requests';
import { cachedFor } from '../cached';
import { awsCloudOperations } from '../ssm/aws-cloud-operations';
import { endedIn, listExecutions, runningIn } from '../ssm/aws-executions';
import { executionViewOf, fullExecution } from '../ssm/aws-step-dependencies';
import { CloudOperations } from '../ssm/cloud-operations';

/** Where the command-line tool reaches AWS. */
export interface AwsCliDependenciesConfig {
  /** The environment, for the default Region. Default: `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** A different endpoint for every AWS call but ARC (tests against a local moto_server). */
  readonly endpoint?: string;
  /** How long an SSM call may go unanswered. Default 20 s. */
  readonly requestTimeoutMs?: number;
}

/** SSM in one Region through the AWS SDK. */
export function awsAutomationService(region: string, endpoint?: string, requestTimeoutMs = 20_000): AutomationService {
  const ssm = new SSMClient({
    region,
    requestHandler: boundedRequests(5_000, requestTimeoutMs),
    ...(endpoint ? { endpoint } : {}),
  });
  // One listing serves the runs under way and the ended ones of the same read (status reads both at once).
  const listings = new Map<string, () => ReturnType<typeof listExecutions>>();
  const listing = (documentNames: readonly string[]) => {
    const key = documentNames.join(',');
    if (!listings.has(key)) listings.set(key, cachedFor(1_000, () => listExecutions(ssm, documentNames, Date.now())));
    return listings.get(key)!();
  };
  return {
    async readParameter(name) {
      try {
        return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      } catch (e) {
        if ((e as Error).name === 'ParameterNotFound') return undefined;
        throw e;
      }
    },

    async listParameterNames(path) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const out = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken: token }));
        names.push(...(out.Parameters ?? []).map((p) => p.Name ?? '').filter((n) => n !== ''));
        token = out.NextToken;
      } while (token);
      return names;
    },

    runningExecutions: async (documentNames) => runningIn(await listing(documentNames), region),
    endedExecutions: async (documentNames, limit) => endedIn(await listing(documentNames), region, limit),

    async start(documentName, parameters) {
      const out = await ssm.send(new StartAutomationExecutionCommand({ DocumentName: documentName, Parameters: parameters }));
      if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} in ${region} answered no execution id`);
      return out.AutomationExecutionId;
    },

    async getExecution(executionId): Promise<ExecutionState> {
      const execution = await fullExecution(ssm, region, executionId);
      return {
        ...executionViewOf(execution),
        documentName: execution.DocumentName,
        status: execution.AutomationExecutionStatus ?? 'Pending',
        failureMessage: execution.FailureMessage,
        targetRegion: execution.Parameters?.TargetRegion?.[0],
      };
    },
  };
}

/** The command-line tool's dependencies through the AWS SDK, with the caller's credentials. */
export function awsCliDependencies(config: AwsCliDependenciesConfig = {}): CliDependencies {
  const env = config.env ?? process.env;
  const services = new Map<string, AutomationService>();
  const clouds = new Map<string, CloudOperations>();
  return {
    defaultRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    // The SDK's own resolution: the environment, then the `region` of the profile (AWS_PROFILE, or default) in the config file.
    async profileRegion() {
      try {
        return await new SSMClient({}).config.region();
      } catch {
        return undefined;
      }
    },
    automation(region) {
      if (!services.has(region)) services.set(region, awsAutomationService(region, config.endpoint, config.requestTimeoutMs));
      return services.get(region)!;
    },
    cloud(region) {
      if (!clouds.has(region)) clouds.set(region, awsCloudOperations({ region, endpoint: config.endpoint }));
      return clouds.get(region)!;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
