/**
 * Routes the API's requests: the remittances, and the runbook operations. The same
 * handler answers at `https://api.<zone>/...` directly, at `/api/...` behind CloudFront
 * (the UI's own origin), and at `/regions/<region>/api/...` behind CloudFront, which
 * reaches one Region's API whatever the routing controls say.
 */
import { Queries } from './db';
import { Automation, handleOperation, OperationsSettings } from './operations';
import { ApiEvent, ApiResult, handleRequest, jsonReply } from './remittances';

export interface ApiDependencies {
  /** Where the remittances are written (and read, without `reads`). */
  readonly db: Queries;
  /** Where the remittances are read: the Region's reader endpoint in an active/active deployment. Default: `db`. */
  readonly reads?: Queries;
  readonly region: string;
  /** The runbooks: without them, `/operations` answers 404. */
  readonly automation?: Automation;
  readonly operations?: OperationsSettings;
}

/** The path without the CloudFront prefixes `/regions/<region>` and `/api`. */
export function apiPath(path: string | undefined): string {
  return (path ?? '/').replace(/^\/regions\/[a-z0-9-]+(?=\/)/, '').replace(/^\/api(?=\/|$)/, '') || '/';
}

export async function route(event: ApiEvent, deps: ApiDependencies): Promise<ApiResult> {
  const path = apiPath(event.path);
  let m: RegExpExecArray | null;
  if (/^\/remittances\/?$/.test(path)) return handleRequest({ ...event, pathParameters: null }, deps.db, deps.region, deps.reads);
  if ((m = /^\/remittances\/([^/]+)$/.exec(path))) return handleRequest({ ...event, pathParameters: { id: m[1] } }, deps.db, deps.region, deps.reads);
  if (deps.automation && deps.operations) {
    if (/^\/operations\/?$/.test(path)) return handleOperation(event, undefined, deps.automation, deps.operations);
    if ((m = /^\/operations\/([^/]+)$/.exec(path))) return handleOperation(event, m[1], deps.automation, deps.operations);
  }
  return jsonReply(deps.region, 404, { error: `no such resource ${path}: the API has /remittances, /remittances/{id}, /operations, /operations/state and /operations/{executionId}` });
}
