export interface TestPostgres {
  port: number;
  /** Creates a role and a database of the same name, owned by it; returns its connection URL. */
  database(name: string, password: string): string;
  /** Runs SQL as the superuser over the server's socket; returns psql's output. */
  sql(statement: string, database?: string): string;
  /** The directory of the server's socket (psql -h takes it). */
  socketDir: string;
  bin: string;
  stop(): void;
}
/** The newest Debian postgresql server's bin directory, or why there is none. */
export declare function findPostgres(): { bin: string } | { missing: string };
/**
 * A throwaway real PostgreSQL server on 127.0.0.1: password authentication
 * over TCP (as the app uses it), trust only on its private socket directory.
 */
export declare function startPostgres(bin: string): Promise<TestPostgres>;
