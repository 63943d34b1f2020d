import * as http from 'http';
import { AddressInfo } from 'net';
import { ClusterEndpoint, RoutingControlState } from '../../src/arc/routing-states';

/**
 * A fake ARC cluster data plane over HTTP, speaking the awsJson1_0 protocol of
 * `@aws-sdk/client-route53-recovery-cluster` (`ToggleCustomerAPI.<Operation>`), so the
 * real SDK client of a handler can be driven against it. Several endpoints share one
 * state table; each endpoint can be told to answer 500.
 */
export class FakeArcServer {
  public readonly states = new Map<string, RoutingControlState>();
  /** Every request answered: the endpoint's Region, the operation, and the SigV4 `Authorization` and session-token headers. */
  public readonly requests: { region: string; operation: string; authorization?: string; securityToken?: string }[] = [];
  private readonly servers: { region: string; server: http.Server; failing: boolean; hanging?: boolean }[] = [];

  public async start(regions: string[], arns: string[]): Promise<ClusterEndpoint[]> {
    for (const arn of arns) this.states.set(arn, 'Off');
    const endpoints: ClusterEndpoint[] = [];
    for (const region of regions) {
      const entry = { region, failing: false, server: http.createServer((req, res) => this.answer(entry, req, res)) };
      await new Promise<void>((resolve) => entry.server.listen(0, '127.0.0.1', resolve));
      this.servers.push(entry);
      endpoints.push({ region, endpoint: `http://127.0.0.1:${(entry.server.address() as AddressInfo).port}` });
    }
    return endpoints;
  }

  public failOn(...regions: string[]): void {
    this.servers.filter((s) => regions.includes(s.region)).forEach((s) => (s.failing = true));
  }

  /** Makes these endpoints accept requests and never answer. */
  public hangOn(...regions: string[]): void {
    this.servers.filter((s) => regions.includes(s.region)).forEach((s) => (s.hanging = true));
  }

  /** Makes every endpoint answer again. */
  public heal(): void {
    this.servers.forEach((s) => {
      s.hanging = false;
      s.failing = false;
    });
  }

  public async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => {
      s.server.closeAllConnections();
      s.server.close(resolve);
    })));
  }

  private answer(entry: { region: string; failing: boolean; hanging?: boolean }, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (entry.hanging) return;
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('ToggleCustomerAPI.', '');
      this.requests.push({
        region: entry.region,
        operation,
        authorization: req.headers.authorization,
        securityToken: req.headers['x-amz-security-token'] as string | undefined,
      });
      const reply = (status: number, doc: object, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(doc));
      };
      if (entry.failing) return reply(500, { __type: 'InternalServerException', message: 'endpoint impaired' }, 'InternalServerException');
      const input = JSON.parse(body || '{}');
      if (operation === 'UpdateRoutingControlStates') {
        for (const e of input.UpdateRoutingControlStateEntries as { RoutingControlArn: string; RoutingControlState: RoutingControlState }[]) {
          this.states.set(e.RoutingControlArn, e.RoutingControlState);
        }
        return reply(200, {});
      }
      if (operation === 'GetRoutingControlState') {
        return reply(200, { RoutingControlArn: input.RoutingControlArn, RoutingControlState: this.states.get(input.RoutingControlArn) });
      }
      return reply(400, { __type: 'ValidationException', message: `unknown operation ${operation}` }, 'ValidationException');
    });
  }
}

/** A local stand-in for CloudFormation's pre-signed response URL; keeps what it was sent. */
export async function responseCollector(): Promise<{ url: string; responses: Record<string, unknown>[]; close: () => Promise<void> }> {
  const responses: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      responses.push(JSON.parse(body));
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`,
    responses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
