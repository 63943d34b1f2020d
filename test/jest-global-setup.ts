import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Gives the test run a temporary directory of its own.
 *
 * Every `new App()` without an `outdir` stages its assembly in a new `cdk.out*`
 * directory under the system's temporary directory and never removes it: about 160
 * per run of the suite. The workers, started after this runs, inherit `TMPDIR`, so
 * those directories (and the tests' own `mkdtemp` directories) land here and
 * `jest-global-teardown.ts` removes them all at the end of the run, whatever its outcome.
 */
export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-crf-jest-'));
  // Others may pass through, not list: the local PostgreSQL servers run as `nobody`
  // when the tests run as root, and their data directories are made in here.
  fs.chmodSync(dir, 0o711);
  process.env.CDK_CRF_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}
