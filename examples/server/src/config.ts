import { z } from 'zod';

/** The server's configuration, read from the environment. */
export const ServerConfigSchema = z.object({
  /** Port to listen on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Address to bind. Loopback by default: exposing the server is a deliberate choice. */
  HOST: z.string().default('127.0.0.1'),
  /** Where the embedded engines keep their data. */
  TRIBUTARY_DATA_DIR: z.string().default('./data'),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/** Reads and validates the configuration; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = ServerConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}
