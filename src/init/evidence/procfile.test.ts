import { describe, expect, it } from "vitest";
import { procfileFacts } from "./procfile.js";
import { memoryRepo } from "./util.js";

describe("procfileFacts", () => {
  const facts = procfileFacts(
    memoryRepo({
      Procfile: `# processes\nweb: bundle exec puma -p \${PORT:-5000} -C "config/puma.rb"\nworker: bundle exec sidekiq -q 'default,2'\nrelease: bin/rails db:migrate\nclock: bin/clock && echo done\nnot a line\n`,
    }),
  );

  it("makes web a web process, keeping $PORT and quoted words", () => {
    expect(facts[0]).toEqual({
      kind: "process",
      value: { name: "web", role: "web", command: ["bundle", "exec", "puma", "-p", "${PORT:-5000}", "-C", "config/puma.rb"], port: 5000 },
      source: "Procfile:2",
      confirmed: true,
    });
  });

  it("makes other names workers and release a migration", () => {
    expect(facts[1]).toMatchObject({ kind: "process", value: { name: "worker", role: "worker", command: ["bundle", "exec", "sidekiq", "-q", "default,2"] } });
    expect(facts[2]).toEqual({ kind: "migrate", value: { command: ["bin/rails", "db:migrate"] }, source: "Procfile:4", confirmed: true });
  });

  it("runs a command with shell operators through sh -c", () => {
    expect(facts[3]).toMatchObject({ value: { name: "clock", command: ["sh", "-c", "bin/clock && echo done"] } });
    expect(facts).toHaveLength(4);
  });
});
