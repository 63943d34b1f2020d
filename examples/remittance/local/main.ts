/**
 * `npm run example:local`: the remittance UI and API on this machine, against a real
 * PostgreSQL the command starts (the machine's PostgreSQL 15+ server binaries), until
 * Ctrl-C. Prints the address and the operator's sign-in.
 *
 *   npm run example:local -- --port 8080 --email you@example.com --password '...'
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { LocalServer } from './server';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`--${name} needs a value, e.g. --${name} ${fallback}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const port = Number(option('port', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number (0 to 65535), not '${option('port', '')}'`);
    process.exit(2);
  }
  const email = option('email', 'admin@example.com');
  const password = option('password', `Local-${crypto.randomBytes(6).toString('base64url')}1!`);
  const server = await LocalServer.start({ port, email, password, uiDist: path.join(__dirname, '..', 'ui', 'dist') });
  console.log(`The remittance example runs at ${server.url}`);
  console.log(`Sign in as ${email} with the password ${password}`);
  console.log(`The API (real handlers, real PostgreSQL) answers for ${server.regions.join(' and ')}; sign-in and runbooks are local stand-ins.`);
  console.log('Ctrl-C stops it and removes the database.');
  const stop = () => {
    server.stop().then(() => process.exit(0), (e: Error) => {
      console.error(`could not stop cleanly: ${e.message}`);
      process.exit(1);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: Error) => {
  console.error(`example:local failed: ${e.message}`);
  process.exit(1);
});
