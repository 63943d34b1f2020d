import * as fs from 'fs';

/** Removes the run's temporary directory made by `jest-global-setup.ts`. */
export default function globalTeardown(): void {
  const dir = process.env.CDK_CRF_JEST_TMPDIR;
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
