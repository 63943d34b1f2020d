/**
 * The remittance application on one machine, over the failover rehearsal
 * ({@link Rehearsal}): the built UI, the API's real handlers (`route`) in each simulated
 * Region, a real PostgreSQL server per Region joined by streaming replication, and the
 * real runbooks behind the Operations buttons, which move the writer and the local
 * routing with the same steps and refusals as in AWS. Cognito's sign-in has a local
 * stand-in (one operator, HMAC-signed tokens checked the way API Gateway's authorizer
 * would). `/local/regions` shows each Region and impairs or restores one (its server and
 * its API path), for the UI's "Impair" control.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { OPERATORS_GROUP, Rehearsal } from './rehearsal';
import { ApiEvent } from '../api/remittances';

export interface LocalServerOptions {
  /** Port to listen on; 0 for a free one. */
  readonly port: number;
  /** The built UI. */
  readonly uiDist: string;
  /** The operator who may sign in. */
  readonly email: string;
  readonly password: string;
  /** The local Regions (two or three), the home Region first. Default us-east-1, us-west-2. */
  readonly regions?: string[];
  /** Where the databases' temporary folder goes. Default: the system's temporary folder. */
  readonly databaseParentDir?: string;
  /** Active/active routing: every Region serves, and the panel evacuates and restores Regions. Default false. */
  readonly activeActive?: boolean;
}
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
};

export class LocalServer {
  public static async start(options: LocalServerOptions): Promise<LocalServer> {
    const uiIndex = path.join(options.uiDist, 'index.html');
    if (!fs.existsSync(uiIndex)) throw new Error(`no built UI at ${uiIndex}: run 'npm run example:ui-build' first`);
    const rehearsal = await Rehearsal.start({ regions: options.regions, parentDir: options.databaseParentDir, activeActive: options.activeActive });
    const server = new LocalServer(options, rehearsal);
    try {
      await new Promise<void>((resolve, reject) => {
        server.http.once('error', reject);
        server.http.listen(options.port, '127.0.0.1', () => resolve());
      });
    } catch (e) {
      await rehearsal.stop();
      const inUse = (e as { code?: string }).code === 'EADDRINUSE';
      throw new Error(inUse ? `port ${options.port} is already in use: pass another with --port N` : (e as Error).message);
    }
    return server;
  }

  public readonly regions: string[];
  private readonly http: http.Server;
  private readonly secret = crypto.randomBytes(32);

  private constructor(private readonly options: LocalServerOptions, public readonly rehearsal: Rehearsal) {
    this.regions = rehearsal.regionNames;
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

  /** The Region `/api` reaches now: the one whose routing control is On (with several On, the first). */
  public get routedRegion(): string | undefined {
    return this.rehearsal.routed()[0];
  }

  public async stop(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.rehearsal.stop();
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
        ...(this.options.activeActive ? { activeActive: true } : {}),
      });
    }
    if (url.pathname === '/local/cognito' && req.method === 'POST') return this.cognito(req, body, res);
    if (url.pathname.startsWith('/local/regions')) return this.localRegions(req, url.pathname, res);
    const regional = /^\/regions\/([a-z0-9-]+)\/api(\/.*)?$/.exec(url.pathname);
    if (regional || /^\/api(\/|$)/.test(url.pathname)) {
      const region = regional?.[1];
      if (region !== undefined && !this.regions.includes(region)) return send(res, 404, { message: `no Region ${region} here` });
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
      const result = await this.rehearsal.request(event, { region });
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

  /**
   * `GET /local/regions`: each Region's state; `POST /local/regions/<region>/impair` and
   * `.../restore`: the "Impair" control. Operators only, as the runbooks are.
   */
  private async localRegions(req: http.IncomingMessage, pathname: string, res: http.ServerResponse): Promise<void> {
    const claims = this.verify(req.headers.authorization);
    if (!claims) return send(res, 401, { message: 'Unauthorized' });
    if (!([] as string[]).concat(claims['cognito:groups'] as string[] ?? []).includes(OPERATORS_GROUP)) {
      return send(res, 403, { error: `only members of the group '${OPERATORS_GROUP}' may impair or restore a Region` });
    }
    const m = /^\/local\/regions(?:\/([a-z0-9-]+)\/(impair|restore))?\/?$/.exec(pathname);
    if (!m) return send(res, 404, { error: `no such resource ${pathname}: GET /local/regions, POST /local/regions/<region>/impair or /restore` });
    if (m[1] !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { error: `${req.method} is not allowed here: POST impairs or restores a Region` });
      if (!this.regions.includes(m[1])) return send(res, 404, { error: `no Region ${m[1]} here; the Regions are ${this.regions.join(', ')}` });
      try {
        if (m[2] === 'impair') this.rehearsal.impair(m[1]);
        else await this.rehearsal.restore(m[1]);
      } catch (e) {
        return send(res, 409, { error: `could not ${m[2]} ${m[1]}: ${(e as Error).message}` });
      }
    } else if (req.method !== 'GET') {
      return send(res, 405, { error: `${req.method} is not allowed here: GET lists the Regions` });
    }
    return send(res, 200, { regions: await this.rehearsal.describe() });
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
