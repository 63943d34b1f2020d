import { RunbookDocumentSettings } from '../../src/ssm/documents';
import { RunbookName } from '../../src/ssm/runbooks';

/** The step function every test document invokes. */
export const STEP_FUNCTION = 'orders-runbook-steps';

/** The settings FailoverAutomation renders a document with by default, for the 'orders' database in `region`. */
export function documentSettings(runbook: RunbookName, region: string, extra: Partial<RunbookDocumentSettings> = {}): RunbookDocumentSettings {
  return {
    runbook,
    region,
    functionName: STEP_FUNCTION,
    assumeRoleArn: `arn:aws:iam::111111111111:role/orders-runbooks-${region}`,
    approvers: [],
    requireApproval: false,
    approvalTimeoutSeconds: 3600,
    maxRpoLagSeconds: 30,
    writerWaitSeconds: 1800,
    rejoinWaitSeconds: 14_400,
    pollWindowSeconds: 180,
    pollIntervalSeconds: 10,
    stepTimeoutSeconds: 290,
    invokeReadTimeoutSeconds: 260,
    ...extra,
  };
}
