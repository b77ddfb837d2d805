import { ConfigError, loadConfig, type ConfigOf, type EnvShape } from './load-config';

/** For an app's main: the validated configuration, or a clear message on stderr and exit code 2. */
export function loadConfigOrExit<S extends EnvShape>(app: string, shape: S): ConfigOf<S> {
  try {
    return loadConfig(shape);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${app}: ${err.message}\n`);
    process.exit(2);
  }
}
