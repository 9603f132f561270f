import { describe, expect, it } from "vitest";
import { databaseNameHint, toDnsLabel } from "./detect.js";

const view = (files: Record<string, string>) => ({ files: Object.keys(files), read: (p: string) => files[p] });

describe("toDnsLabel", () => {
  it("makes valid DNS labels of anything", () => {
    expect(toDnsLabel("@acme/Web_Shop")).toBe("web-shop");
    expect(toDnsLabel("123-go")).toBe("go");
    expect(toDnsLabel("---")).toBe("app");
    expect(toDnsLabel("a".repeat(60))).toHaveLength(40);
  });
});

describe("databaseNameHint", () => {
  it("prefers Rails' production database, then the example env file, then compose", () => {
    expect(databaseNameHint(view({ "config/database.yml": "development:\n  database: app_dev\nproduction:\n  <<: *default\n  database: app_production\n" }), { DATABASE_URL: "postgres://x@localhost/app_dev" })).toBe("app_production");
    expect(databaseNameHint(view({}), { DATABASE_URL: "postgresql://u:p@localhost:5432/inventory?sslmode=disable" })).toBe("inventory");
    expect(databaseNameHint(view({}), { DB_NAME: "polls" })).toBe("polls");
    expect(databaseNameHint(view({ "compose.yaml": "services:\n  db:\n    environment:\n      POSTGRES_DB: poll\n" }), {})).toBe("poll");
    expect(databaseNameHint(view({}), {})).toBeUndefined();
  });
});
