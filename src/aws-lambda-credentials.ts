/**
 * The credential provider the prebundled Lambda handlers are built with, in place of the
 * AWS SDK's default chain (`@aws-sdk/credential-provider-node`): esbuild's `--alias`
 * substitutes this module for that package in every Lambda bundle (.projenrc.ts,
 * `LAMBDA_BUNDLE`), never in the command line's.
 *
 * What it reads: the execution role's credentials in the environment, where the Lambda
 * runtime puts them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
 * failing that, a container credentials endpoint when the environment names one
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`), as on compute that serves
 * role credentials that way. Unlike the default chain it ignores `AWS_PROFILE` (no
 * shared files in a function) and tries nothing else: no SSO, web identity or instance
 * metadata (docs/aws-assumptions.md, F1). Leaving those out, with the STS, SSO and
 * sign-in clients they bring, is what makes the bundles smaller (`npm run bench`).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';

/** What the SDK's clients call `credentialDefaultProvider`: the same name and shape as the package it replaces. */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> {
  const fromEnvironment = fromEnv(init);
  const container = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI || process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
    ? fromHttp(init)
    : undefined;
  return async () => {
    try {
      return await fromEnvironment();
    } catch (e) {
      if (container) return container();
      throw new Error('no AWS credentials in this function\'s environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a container ' +
        'credentials endpoint): this handler is bundled to read the execution role\'s credentials the Lambda runtime sets there, ' +
        `and nothing else (${(e as Error).message})`);
    }
  };
}
