import { z } from 'zod';

/** Thrown at start-up when an environment variable is missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvShape = Record<string, z.ZodType>;

/** The validated configuration an env shape produces. */
export type ConfigOf<S extends EnvShape> = z.infer<z.ZodObject<S>>;

/**
 * Validates environment variables against a shape of zod schemas keyed by variable name.
 * Every bad variable is reported at once, by name, with the value it had.
 */
export function loadConfig<S extends EnvShape>(shape: S, env: Readonly<Record<string, string | undefined>> = process.env): ConfigOf<S> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(environment)');
    const value = env[variable];
    const shown = value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
    return `${variable}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
}
