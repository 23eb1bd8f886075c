/**
 * Where this process runs, decided in one place. On AWS Lambda itself a frozen container runs no
 * timers between invocations (buffers are flushed before an invocation returns, reads run
 * in-process) and nothing scrapes /metrics (metrics go out as EMF lines). serverless-offline sets
 * AWS_LAMBDA_FUNCTION_NAME too, and IS_OFFLINE=true: it is a long-lived server, not Lambda.
 * IS_OFFLINE with any other value (an unset "false" in a deploy's environment) is Lambda.
 */
export function onLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.IS_OFFLINE !== 'true';
}
