/**
 * The remittance application on one machine: the built UI, and the API's real handlers
 * (`route`) for two Regions against one real PostgreSQL, as both Regions' functions use
 * the one global writer endpoint. What exists only in AWS has a local stand-in, and says
 * so: Cognito's sign-in (one operator, HMAC-signed tokens checked the way API Gateway's
 * authorizer would), the ARC routing (which Region `/api` reaches), and the runbooks
 * (steps that move the local routing; no database is promoted).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { LocalPostgres } from './postgres';
import { Database } from '../api/db';
import { Automation, Execution, RunbookName } from '../api/operations';
import { ApiEvent } from '../api/remittances';
import { route } from '../api/router';
import { migrate } from '../api/schema';

export interface LocalServerOptions {
  /** Port to listen on; 0 for a free one. */
  readonly port: number;
  /** The built UI. */
  readonly uiDist: string;
  /** The operator who may sign in. */
  readonly email: string;
  readonly password: string;
  /** The two local Regions, the home Region first. Default us-east-1, us-west-2. */
  readonly regions?: string[];
  /** How long each stand-in runbook step takes. Default 1 s. */
  readonly stepMs?: number;
  /** Where the database's temporary folder goes. Default: the system's temporary folder. */
  readonly databaseParentDir?: string;
}

const OPERATORS_GROUP = 'operators';
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
};

export class LocalServer {
  public static async start(options: LocalServerOptions): Promise<LocalServer> {
    const uiIndex = path.join(options.uiDist, 'index.html');
    if (!fs.existsSync(uiIndex)) throw new Error(`no built UI at ${uiIndex}: run 'npm run example:ui-build' first`);
    const postgres = await LocalPostgres.start({ parentDir: options.databaseParentDir });
    const db = new Database(async () => postgres.secret(), { ssl: false });
    try {
      await migrate(db);
    } catch (e) {
      await postgres.stop();
      throw e;
    }
    const server = new LocalServer(options, postgres, db);
    try {
      await new Promise<void>((resolve, reject) => {
        server.http.once('error', reject);
        server.http.listen(options.port, '127.0.0.1', () => resolve());
      });
    } catch (e) {
      await db.close();
      await postgres.stop();
      const inUse = (e as { code?: string }).code === 'EADDRINUSE';
      throw new Error(inUse ? `port ${options.port} is already in use: pass another with --port N` : (e as Error).message);
    }
    return server;
  }

  /** The Region `/api` reaches now: what the ARC routing controls decide in AWS. */
  public routedRegion: string;
  public readonly regions: string[];
  private readonly http: http.Server;
  private readonly secret = crypto.randomBytes(32);
  private readonly executions = new Map<string, { region: string; execution: Execution }>();
  private readonly documents: Record<RunbookName, string> = { switchover: 'local-Switchover', failover: 'local-Failover', failback: 'local-Failback' };

  private constructor(private readonly options: LocalServerOptions, private readonly postgres: LocalPostgres, private readonly db: Database) {
    this.regions = options.regions ?? ['us-east-1', 'us-west-2'];
    this.routedRegion = this.regions[0];
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        console.error(`local server: ${req.method} ${req.url}: ${e.stack ?? e.message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `local server error: ${e.message}` }));
      });
    });
  }

  public get url(): string {
    return `http://127.0.0.1:${(this.http.address() as { port: number }).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.db.close();
    await this.postgres.stop();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const body = await readBody(req);
    if (url.pathname === '/config.json') {
      return send(res, 200, {
        region: this.regions[0],
        regions: this.regions,
        cognito: { region: 'local', endpoint: '/local/cognito', clientId: 'local' },
        operatorsGroup: OPERATORS_GROUP,
        local: true,
      });
    }
    if (url.pathname === '/local/cognito' && req.method === 'POST') return this.cognito(req, body, res);
    const regional = /^\/regions\/([a-z0-9-]+)\/api(\/.*)?$/.exec(url.pathname);
    if (regional || /^\/api(\/|$)/.test(url.pathname)) {
      const region = regional ? regional[1] : this.routedRegion;
      if (!this.regions.includes(region)) return send(res, 404, { message: `no Region ${region} here` });
      const claims = this.verify(req.headers.authorization);
      // API Gateway's Cognito authorizer answers 401 before the function runs.
      if (!claims) return send(res, 401, { message: 'Unauthorized' });
      const event: ApiEvent = {
        httpMethod: req.method ?? 'GET',
        path: url.pathname,
        body: body === '' ? null : body,
        // As API Gateway passes them: the groups as one string.
        requestContext: { authorizer: { claims: { 'sub': String(claims.sub), 'email': String(claims.email), 'cognito:groups': ([] as string[]).concat(claims['cognito:groups'] as string[] ?? []).join(',') } } },
      };
      const result = await route(event, {
        db: this.db,
        region,
        automation: this.automation(region),
        operations: { region, documents: this.documents, operatorsGroup: OPERATORS_GROUP },
      });
      res.writeHead(result.statusCode, result.headers);
      res.end(result.body);
      return;
    }
    return this.serveUi(url.pathname, res);
  }

  /** Cognito's InitiateAuth (USER_PASSWORD_AUTH) for the one local operator. */
  private cognito(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== 'AWSCognitoIdentityProviderService.InitiateAuth') {
      return send(res, 400, { __type: 'InvalidParameterException', message: `the local sign-in stand-in only answers InitiateAuth, not ${target}` });
    }
    const params = (JSON.parse(body || '{}') as { AuthParameters?: { USERNAME?: string; PASSWORD?: string } }).AuthParameters ?? {};
    if (params.USERNAME !== this.options.email || params.PASSWORD !== this.options.password) {
      return send(res, 400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    }
    const claims = { 'sub': crypto.createHash('sha256').update(this.options.email).digest('hex').slice(0, 32), 'email': this.options.email, 'cognito:groups': [OPERATORS_GROUP], 'exp': Math.floor(Date.now() / 1000) + 3600 };
    send(res, 200, { AuthenticationResult: { IdToken: this.sign(claims), ExpiresIn: 3600, TokenType: 'Bearer' } });
  }

  private sign(claims: object): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${unsigned}.${crypto.createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
  }

  private verify(token: string | undefined): Record<string, unknown> | undefined {
    const [header, payload, signature] = (token ?? '').split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = crypto.createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : undefined;
  }

  /** The runbooks' stand-in in `region`: named steps, one per `stepMs`, that move the local routing to `region`. */
  private automation(region: string): Automation {
    return {
      start: async (documentName) => {
        const id = crypto.randomUUID();
        const names = ['CheckPreconditions', 'FenceOtherRegions', 'MoveWriter', 'RouteTraffic', 'VerifyTarget'];
        const steps = names.map((name) => ({ name, status: 'Pending' }));
        const record = { region, execution: { executionId: id, documentName, status: 'InProgress', steps } as Execution };
        this.executions.set(id, record);
        names.forEach((name, i) => setTimeout(() => {
          steps[i] = { name, status: 'Success' };
          if (name === 'RouteTraffic') this.routedRegion = region;
          if (i + 1 < names.length) steps[i + 1] = { name: names[i + 1], status: 'InProgress' };
          else record.execution = { ...record.execution, status: 'Success' };
        }, (i + 1) * (this.options.stepMs ?? 1000)));
        steps[0] = { name: names[0], status: 'InProgress' };
        return id;
      },
      get: async (executionId) => {
        const found = this.executions.get(executionId);
        return found && found.region === region ? { ...found.execution, steps: [...found.execution.steps] } : undefined;
      },
    };
  }

  private serveUi(pathname: string, res: http.ServerResponse): void {
    const root = path.resolve(this.options.uiDist);
    const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : decodeURIComponent(pathname)}`);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, payload: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(payload));
}
