/**
 * Configuration from the environment, read once at module load so that a missing value fails the
 * cold start loudly instead of the first request quietly.
 */

/** The value of a required environment variable; throws naming it when it is absent or empty. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/** The value of an optional environment variable, or undefined when it is absent or empty. */
export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A whole-number environment variable within bounds, or the fallback when unset. */
export function intEnv(name: string, fallback: number, bounds: { min: number; max: number }): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new Error(
      `Environment variable ${name} must be a whole number from ${bounds.min} to ${bounds.max}, got "${raw}"`,
    );
  }
  return value;
}
