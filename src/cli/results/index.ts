import type { z } from "zod";
import { schema as alertsTest } from "./alerts-test.js";
import { schema as config } from "./config.js";
import { schema as diff } from "./diff.js";
import { schema as doctor } from "./doctor.js";
import { schema as down } from "./down.js";
import { schema as exportResult } from "./export.js";
import { schema as init } from "./init.js";
import { schema as jobsLs } from "./jobs-ls.js";
import { schema as jobsRun } from "./jobs-run.js";
import { schema as logs } from "./logs.js";
import { schema as releases } from "./releases.js";
import { schema as render } from "./render.js";
import { schema as schemaResult } from "./schema.js";
import { schema as secretsKey } from "./secrets-key.js";
import { schema as secretsLs } from "./secrets-ls.js";
import { schema as secretsRotate } from "./secrets-rotate.js";
import { schema as secretsSet } from "./secrets-set.js";
import { schema as secretsSync } from "./secrets-sync.js";
import { schema as status } from "./status.js";
import { schema as trust } from "./trust.js";
import { schema as version } from "./version.js";
import { schema as deploy } from "./deploy.js";
import { schema as promote } from "./promote.js";
import { schema as rollback } from "./rollback.js";
import { schema as platform } from "./platform.js";
import { schema as up } from "./up.js";

export { errorLine, eventLine, stepEvent } from "./lines.js";

/**
 * The result schema of every command with `--json`, by the command's name as
 * its result line carries it (`"command":"secrets sync"`). Tests check real
 * output against these; `devstack test` and `eks-token` print no result.
 */
export const resultSchemas: Record<string, z.ZodType> = {
  "alerts test": alertsTest,
  config,
  deploy,
  diff,
  doctor,
  down,
  export: exportResult,
  init,
  "jobs ls": jobsLs,
  "jobs run": jobsRun,
  logs,
  platform,
  promote,
  releases,
  render,
  rollback,
  schema: schemaResult,
  "secrets key": secretsKey,
  "secrets ls": secretsLs,
  "secrets rotate": secretsRotate,
  "secrets set": secretsSet,
  "secrets sync": secretsSync,
  status,
  trust,
  up,
  version,
};
