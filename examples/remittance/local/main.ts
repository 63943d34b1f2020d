/**
 * `npm run example:local`: the remittance UI and API on this machine over the failover
 * rehearsal: a PostgreSQL server per simulated Region (the machine's PostgreSQL 15+
 * server binaries), the standbys streaming from the writer, the real runbooks behind the
 * Operations buttons and an Impair control per Region, until Ctrl-C. Prints the address
 * and the operator's sign-in.
 *
 *   npm run example:local -- --port 8080 --email you@example.com --password '...' --regions us-east-1,us-west-2,eu-west-1
 *   npm run example:local -- --active-active      every Region serves; the panel evacuates and restores Regions
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { LocalServer } from './server';
import { REGION } from '../api/operations';

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
  const regions = option('regions', 'us-east-1,us-west-2').split(',').map((r) => r.trim()).filter((r) => r.length > 0);
  if (regions.length < 2 || regions.length > 3 || new Set(regions).size !== regions.length || regions.some((r) => !REGION.test(r))) {
    console.error(`--regions must name two or three different Regions, the home Region first, like us-east-1,us-west-2; got '${option('regions', '')}'`);
    process.exit(2);
  }
  const activeActive = process.argv.includes('--active-active');
  const server = await LocalServer.start({ port, email, password, regions, uiDist: path.join(__dirname, '..', 'ui', 'dist'), activeActive });
  console.log(`The remittance example runs at ${server.url}`);
  console.log(`Sign in as ${email} with the password ${password}`);
  console.log(`Regions ${server.regions.join(', ')}: a PostgreSQL server each, the first the writer, the others streaming from it.`);
  if (activeActive) {
    console.log('Active/active: every Region serves, reading from its own server; a standby refuses writes (PostgreSQL has no write forwarding), ' +
      'so they go on to the writer. The panel takes Regions out of service and puts them back.');
  }
  console.log('The API handlers and the runbooks are the real ones; sign-in is a local stand-in. Impair a Region from the UI to rehearse a failover.');
  console.log('Ctrl-C stops it and removes the databases.');
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
