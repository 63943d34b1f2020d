import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as net from 'net';
import { freePort } from '../../examples/remittance/local/postgres';

/**
 * A local moto_server (the Python `moto[server]` package) for the AWS calls moto
 * implements. Started on a free loopback port; stopped by `stop()`.
 */
export class MotoServer {
  public static async start(): Promise<MotoServer> {
    const check = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' });
    if (check.status !== 0) {
      throw new Error(`moto_server is not installed (${check.stderr.trim().split('\n').pop()}): run 'python3 -m pip install "moto[server]>=5,<6"'`);
    }
    const port = await freePort();
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const server = new MotoServer(child, port);
    const deadline = Date.now() + 30_000;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill();
        throw new Error(`moto_server did not start on port ${port}: ${stderr.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return server;
  }

  public readonly endpoint: string;

  private constructor(private readonly process: ChildProcess, port: number) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  public async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.kill();
    });
  }
}

export { freePort };

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
