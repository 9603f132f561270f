import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { jsonSchema, SCHEMA_FILES } from "../../config/json-schema.js";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import { out, printJson } from "../output.js";

export async function run(options: { out?: string }, [which = "app"]: string[]): Promise<number> {
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    for (const kind of ["app", "profile"] as const) {
      const file = join(options.out, SCHEMA_FILES[kind]);
      await writeFileAtomic(file, `${JSON.stringify(jsonSchema(kind), null, 2)}\n`);
      out(`wrote ${file}`);
    }
    return 0;
  }
  if (which !== "app" && which !== "profile") {
    throw new UsageError(`unknown schema "${which}"`, "use `devstack schema app` or `devstack schema profile`");
  }
  printJson(jsonSchema(which));
  return 0;
}
