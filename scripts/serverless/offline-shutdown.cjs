'use strict';
/**
 * `npm start` stops cleanly: when serverless-offline is told to stop (SIGTERM, SIGINT, Ctrl-C),
 * the functions' shared runtime writes what it still buffers (captured predictions) before the
 * process exits. In-process mode loads the handlers as ES modules in this process, so
 * importing the runtime by the same file URL reaches the very instance they use; if no
 * function ever ran, it loads a fresh one that has nothing to write.
 */
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

class OfflineShutdown {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:end': () => this.flush() };
  }

  async flush() {
    const dir = this.serverless.service.custom?.functionsDir;
    const runtime = dir && resolve(this.serverless.serviceDir ?? process.cwd(), dir, 'runtime/layer.mjs');
    if (!runtime || !existsSync(runtime)) return;
    try {
      const { shutdownService } = await import(pathToFileURL(runtime).href);
      await shutdownService();
    } catch (err) {
      process.stderr.write(`shutdown: buffered captures could not be written: ${err.message}\n`);
    }
  }
}

module.exports = OfflineShutdown;
