/** The server modules the generator builds the server from (compiled or source). */
export interface ServerModules {
  readonly buildServer: unknown;
  readonly openStore: unknown;
  readonly SERVE_ROUTES: readonly unknown[];
  readonly pino: unknown;
}
export const SCHEMA_FILE: string;
export function generateApiTypes(server: ServerModules): Promise<string>;
