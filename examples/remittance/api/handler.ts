/**
 * The remittance API's Lambda entry point (API Gateway proxy integration). The
 * connections and the secret live at module scope: one per execution environment, reused
 * by every invocation it serves. Environment: see ./environment.ts.
 */
import { connectionsFromEnvironment, operationsFromEnvironment, required } from './environment';
import { ApiEvent, ApiResult } from './remittances';
import { route } from './router';

const region = required('AWS_REGION');
const deps = { ...connectionsFromEnvironment(), region, ...operationsFromEnvironment(region) };

export async function handler(event: ApiEvent): Promise<ApiResult> {
  return route(event, deps);
}
