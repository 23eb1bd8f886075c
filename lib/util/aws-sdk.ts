/**
 * The AWS SDK warns on every client that releases after January 2027 will need Node 22. The
 * project runs on Node 20 with a pinned SDK (package-lock.json), so the warning is noise: silenced
 * once, before any client is created, unless the user set the variable themselves.
 */
export function silenceNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
