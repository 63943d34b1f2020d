/**
 * The credential provider the prebundled Lambda handlers are built with, in place of the
 * AWS SDK's default chain (`@aws-sdk/credential-provider-node`): esbuild's `--alias`
 * substitutes this module for that package in every Lambda bundle (.projenrc.ts,
 * `LAMBDA_BUNDLE`), never in the command line's.
 *
 * Why it is safe: the default chain's first link reads the same environment variables,
 * and wins whenever `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are set and
 * `AWS_PROFILE` is not; the Lambda runtime sets the first two (with `AWS_SESSION_TOKEN`)
 * from the function's execution role, and never the third (docs/aws-assumptions.md, F1).
 * What it saves: the rest of the chain (SSO, IAM Identity Center, web identity, the
 * shared files, the container and instance metadata services) and the STS, SSO and
 * sign-in clients it brings, a third of the runbook step's bundle and of its load time
 * (`npm run bench`).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** What the SDK's clients call `credentialDefaultProvider`: the same name and shape as the package it replaces. */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> {
  const fromEnvironment = fromEnv(init);
  return async () => {
    try {
      return await fromEnvironment();
    } catch (e) {
      throw new Error('no AWS credentials in this function\'s environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): this handler ' +
        `is bundled to read the execution role's credentials the Lambda runtime sets there, and nothing else (${(e as Error).message})`);
    }
  };
}
