/**
 * The script of every logic step of the runbooks: an `aws:executeScript` step (Python)
 * that invokes the Region's step function and returns what it answered, so that later
 * steps select its values as `$.Payload.<name>`.
 *
 * Why a script and not `aws:invokeLambdaFunction`: the SSM reference gives that action
 * four outputs only (StatusCode, FunctionError, LogResult and Payload, "The JSON
 * representation of the object returned by the Lambda function") and no way to select a
 * value inside Payload, while for `aws:executeScript` it shows outputs selected inside
 * the returned object ("Selector: $.Payload.latestSnapshotId", Systems Manager User
 * Guide, "aws:executeScript – Run a script") and documents that "InputPayload – A JSON
 * or YAML object that will be passed to the first parameter of the handler". See
 * docs/aws-assumptions.md, S5.
 *
 * What the script does, each rule with its reason:
 * - one invocation per attempt, no SDK retry: botocore retries a read timeout, which
 *   would run the step a second time while the first still runs (the step's own
 *   `maxAttempts` retries, and every step is idempotent);
 * - a read timeout longer than the function's timeout, so the answer is always read;
 * - a function error becomes an exception, which fails the step (its `onFailure` then
 *   goes to Report), carrying the function's message as JSON so that the command-line
 *   tool reads it back (`errorMessageOf`);
 * - every string value is cut to 500 characters: SSM keeps at most 512 characters of
 *   an output value (`AutomationParameterValue` in the SSM API model);
 * - the Region is given, never taken from the environment.
 */
export const INVOKE_STEP_SCRIPT = `import json

import boto3
from botocore.config import Config

MAX_OUTPUT = 500


def shorten(value):
    if isinstance(value, str) and len(value) > MAX_OUTPUT:
        return value[:MAX_OUTPUT - 1] + "\\u2026"
    return value


def handler(events, context):
    config = Config(
        read_timeout=int(events["ReadTimeoutSeconds"]),
        connect_timeout=10,
        retries={"total_max_attempts": 1},
    )
    client = boto3.client("lambda", region_name=events["Region"], config=config)
    response = client.invoke(
        FunctionName=events["FunctionName"],
        InvocationType="RequestResponse",
        Payload=json.dumps(events["Input"]).encode("utf-8"),
    )
    body = response["Payload"].read()
    if response.get("FunctionError"):
        try:
            error = json.loads(body or b"{}")
        except ValueError:
            error = {"errorMessage": body.decode("utf-8", "replace")}
        if not isinstance(error, dict):
            error = {"errorMessage": str(error)}
        raise RuntimeError(json.dumps({
            "errorType": str(error.get("errorType", "Error")),
            "errorMessage": str(error.get("errorMessage", "the step function failed without a message")),
        }))
    result = json.loads(body)
    if not isinstance(result, dict):
        raise RuntimeError(json.dumps({"errorType": "Error", "errorMessage": "the step function answered something other than an object"}))
    return {key: shorten(value) for key, value in result.items()}
`;

/** The function of {@link INVOKE_STEP_SCRIPT} the step runs. */
export const INVOKE_STEP_HANDLER = 'handler';

/** The runtime the script runs in: the newest Python the SSM reference lists for `aws:executeScript`. */
export const INVOKE_STEP_RUNTIME = 'python3.11';

/** The most characters SSM keeps of one output value (the script cuts strings to fewer). */
export const MAX_OUTPUT_VALUE_LENGTH = 512;
