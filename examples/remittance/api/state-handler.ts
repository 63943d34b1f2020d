/**
 * The function that reads the deployment's state for the operations panel, outside the
 * VPC: it reads RDS, CloudWatch and SSM of every Region and the ARC data plane, which the
 * API functions' VPC does not reach (it has no internet access). It changes nothing:
 * its role has FailoverAutomation.grantStatus and ObservedWorkload.grantReadAlarms only.
 * The API function invokes it for `GET /operations/state`. Environment: see ./environment.ts.
 */
import { required, stateReaderFromEnvironment } from './environment';
import type { DeploymentState } from '../../../src/ssm/deployment-state';

const read = stateReaderFromEnvironment(required('AWS_REGION'));

export async function handler(): Promise<DeploymentState> {
  return read();
}
