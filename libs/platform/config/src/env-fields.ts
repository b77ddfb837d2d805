import { z } from 'zod';

/** An integer variable within bounds, with a default when unset or empty. */
export function intVar(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return defaultValue;
      const parsed = Number(raw);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** A URL variable with one of the given schemes, with a default when unset or empty. */
export function urlVar(defaultValue: string, schemes: readonly string[]) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw === '' ? defaultValue : raw;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL (${schemes.join(', ')})` });
        return z.NEVER;
      }
      if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
        ctx.addIssue({ code: 'custom', message: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A name made of letters, digits, `_` and `-` (databases, streams), with a default. */
export function nameVar(defaultValue: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? defaultValue : raw))
    .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"'));
}

export function enumVar<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? defaultValue : raw))
    .pipe(z.enum(values));
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A host name or IP address to bind or connect to, with a default. */
export function hostVar(defaultValue: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw) => (raw === undefined || raw === '' ? defaultValue : raw))
    .pipe(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]{1,253})$/, 'expected a host name or IP address (no port)'));
}
