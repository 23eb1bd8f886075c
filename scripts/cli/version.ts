/** The package's version, from package.json (bundled into built scripts, so it needs no file at run time). */
import packageJson from '../../package.json' with { type: 'json' };

export const PACKAGE_VERSION: string = packageJson.version;
