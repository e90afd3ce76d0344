/**
 * A real PostgreSQL for the state-store tests. `.ci/run` starts one
 * (.ci/start-postgres.sh) and exports REMASTER_TEST_PG_URL; locally, start one
 * the same way and export the URL. Without it the PostgreSQL tests skip with a
 * notice locally and FAIL under CI=true. Each call makes a fresh database
 * (dropped when the test ends), so tests never see each other's rows.
 */
import type { TestContext } from 'node:test';
import pg from 'pg';

let counter = 0;

/** Return the base URL, or undefined after skipping (local) / throw (CI) when it is not configured. */
export function requirePostgres(t: TestContext): string | undefined {
  const url = process.env.REMASTER_TEST_PG_URL;
  if (url !== undefined && url !== '') return url;
  const msg = 'needs REMASTER_TEST_PG_URL (a PostgreSQL URL; .ci/start-postgres.sh starts a throwaway cluster)';
  if (process.env.CI === 'true') throw new Error(`${msg}; .ci/run must start PostgreSQL`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return undefined;
}

/** Create an empty database on the test server; return its URL. Dropped when the test ends. */
export async function freshPostgresDatabase(t: TestContext, baseUrl: string): Promise<string> {
  const name = `remaster_t_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  t.after(async () => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
