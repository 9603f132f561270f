import { describe, expect, it } from "vitest";
import type { Found } from "../facts.js";
import { frameworkFacts, scriptCommand } from "./frameworks.js";
import { healthRouteFacts, listenPortFacts, routeFacts } from "./routes.js";
import { memoryRepo } from "./util.js";

const brief = (facts: Found[]) => facts.map((f) => `${f.confirmed ? "+" : "?"}${f.kind} ${JSON.stringify(f.value)} @${f.source}`);

describe("rails", () => {
  it("confirms /up from routes.rb and migrations from db/migrate; sidekiq worker is a guess", () => {
    const facts = frameworkFacts(
      memoryRepo({
        Gemfile: 'gem "rails"\ngem "sidekiq"\n',
        "config/routes.rb": 'Rails.application.routes.draw do\n  get "up" => "rails/health#show", as: :rails_health_check\nend\n',
        "db/migrate/20240101000000_create_users.rb": "",
        "config/sidekiq.yml": "",
      }),
    );
    expect(brief(facts)).toEqual([
      '+health {"path":"/up"} @config/routes.rb:2',
      '?port {"port":3000} @Gemfile:1',
      '+migrate {"command":["bin/rails","db:migrate"]} @db/migrate',
      '?process {"name":"sidekiq","role":"worker","command":["bundle","exec","sidekiq","-C","config/sidekiq.yml"]} @Gemfile:2',
    ]);
  });

  it("guesses /up and the migration without signs", () => {
    expect(brief(frameworkFacts(memoryRepo({ Gemfile: 'gem "rails"\n' })))).toEqual([
      '?health {"path":"/up"} @Gemfile:1',
      '?port {"port":3000} @Gemfile:1',
      '?migrate {"command":["bin/rails","db:migrate"]} @Gemfile:1',
    ]);
  });
});

describe("python frameworks", () => {
  it("django: migrate (confirmed by migrations), port, celery with the project package", () => {
    const facts = frameworkFacts(
      memoryRepo({
        "requirements.txt": "django\ncelery\n",
        "manage.py": "",
        "shop/settings.py": "",
        "shop/celery.py": "app = Celery('shop')\n",
        "orders/migrations/0001_initial.py": "",
      }),
    );
    expect(brief(facts)).toEqual([
      '+migrate {"command":["python","manage.py","migrate","--noinput"]} @manage.py',
      '?port {"port":8000} @requirements.txt:1',
      '?process {"name":"celery","role":"worker","command":["celery","-A","shop","worker"]} @requirements.txt:2',
    ]);
  });

  it("flask 5000, fastapi 8000, alembic", () => {
    expect(brief(frameworkFacts(memoryRepo({ "requirements.txt": "flask\n" })))).toEqual(['?port {"port":5000} @requirements.txt:1']);
    expect(brief(frameworkFacts(memoryRepo({ "requirements.txt": "fastapi\n", "alembic.ini": "" })))).toEqual([
      '?port {"port":8000} @requirements.txt:1',
      '+migrate {"command":["alembic","upgrade","head"]} @alembic.ini',
    ]);
  });
});

describe("jvm, php, node", () => {
  it("spring boot: port from application.properties, actuator health", () => {
    const pom = "<project>\n<artifactId>spring-boot-starter-web</artifactId>\n<artifactId>spring-boot-starter-actuator</artifactId>\n</project>";
    expect(brief(frameworkFacts(memoryRepo({ "pom.xml": pom, "src/main/resources/application.properties": "spring.application.name=x\nserver.port=9090\n" })))).toEqual([
      '+port {"port":9090} @src/main/resources/application.properties:2',
      '?health {"path":"/actuator/health"} @pom.xml:3',
    ]);
    expect(brief(frameworkFacts(memoryRepo({ "pom.xml": pom, "src/main/resources/application.yml": "server:\n  port: 8181\n" })))[0]).toBe('+port {"port":8181} @src/main/resources/application.yml:2');
    expect(brief(frameworkFacts(memoryRepo({ "pom.xml": pom })))[0]).toBe('?port {"port":8080} @pom.xml');
  });

  it("laravel migrate", () => {
    expect(brief(frameworkFacts(memoryRepo({ "composer.json": '{"require":{"laravel/framework":"^11"}}', "database/migrations/2024_create_users.php": "" })))).toEqual([
      '+migrate {"command":["php","artisan","migrate","--force"]} @database/migrations',
    ]);
  });

  it("next, prisma, scripts.migrate and a bullmq worker script", () => {
    const pkg = '{\n"scripts": {"migrate": "node-pg-migrate up", "worker": "node worker.js"},\n"dependencies": {"next": "14", "@prisma/client": "5", "bullmq": "5"}\n}';
    expect(brief(frameworkFacts(memoryRepo({ "package.json": pkg, "prisma/migrations/20240101_init/migration.sql": "", "yarn.lock": "" })))).toEqual([
      '?port {"port":3000} @package.json:3',
      '+migrate {"command":["npx","prisma","migrate","deploy"]} @prisma/migrations',
      '+migrate {"command":["yarn","run","migrate"]} @package.json',
      '+process {"name":"worker","role":"worker","command":["node","worker.js"]} @package.json',
    ]);
  });

  it("runs a script that only starts the runtime directly, anything else through the package manager", () => {
    expect(scriptCommand("npm", "migrate", "node src/migrate.js")).toEqual(["node", "src/migrate.js"]);
    expect(scriptCommand("npm", "migrate", "knex migrate:latest")).toEqual(["npm", "run", "migrate"]);
    expect(scriptCommand("pnpm", "migrate", "node a.js && node b.js")).toEqual(["pnpm", "run", "migrate"]);
    expect(scriptCommand("npm", "worker", "NODE_ENV=production node w.js")).toEqual(["npm", "run", "worker"]);
    expect(scriptCommand("npm", "worker", "node $WORKER")).toEqual(["npm", "run", "worker"]);
  });
});

describe("code literals", () => {
  it("finds listen ports in several languages", () => {
    const repo = memoryRepo({
      "a.js": "app.listen(4000, () => {});",
      "b.ts": "const port = Number(process.env.PORT) || 8081;",
      "c.js": "await fastify.listen({ host: '0.0.0.0', port: 3001 });",
      "d.go": 'log.Fatal(http.ListenAndServe(":8082", mux))',
      "e.go": 'r.Run(":8083")',
      "f.py": "app.run(host='0.0.0.0', port=5001)",
      "config/puma.rb": 'port ENV.fetch("PORT") { 3002 }',
      "g.js": "server.listen(port)",
    });
    expect(brief(listenPortFacts(repo, repo.files)).map((s) => s.replace(/^\+port /, ""))).toEqual([
      '{"port":4000} @a.js:1',
      '{"port":8081} @b.ts:1',
      '{"port":3001} @c.js:1',
      '{"port":3002} @config/puma.rb:1',
      '{"port":8082} @d.go:1',
      '{"port":8083} @e.go:1',
      '{"port":5001} @f.py:1',
    ]);
  });

  it("finds health routes declared in code, once each, not bare strings", () => {
    const repo = memoryRepo({
      "a.js": 'const url = "/status";\napp.get("/healthz", (req, res) => res.send("ok"));\nrouter.get("/healthz", h);',
      "b.py": '@app.get("/health")\ndef health(): ...',
      "c.go": 'mux.HandleFunc("/ping", ping)',
      "D.java": '@GetMapping("/status")',
      "config/routes.rb": 'get "/up" => "health#show"',
    });
    expect(brief(healthRouteFacts(repo, repo.files.filter((f) => !f.endsWith(".rb"))))).toEqual([
      '+health {"path":"/status"} @D.java:1',
      '+health {"path":"/healthz","checks":false} @a.js:2',
      '+health {"path":"/health"} @b.py:1',
      '+health {"path":"/ping"} @c.go:1',
      '+health {"path":"/up"} @config/routes.rb:1',
    ]);
  });
});

describe("health routes in the forms frameworks declare them", () => {
  it("reads Go 1.22 method patterns, Django paths, pathname comparisons and Next.js route files", () => {
    const facts = healthRouteFacts(
      memoryRepo({
        "main.go": 'mux.HandleFunc("GET /readyz", ready)\n',
        "mysite/urls.py": 'urlpatterns = [path("healthz/", healthz)]\n',
        "web/server.js": 'if (url.pathname === "/livez") return res.end("ok");\n',
        "app/api/health/route.js": "export function GET() { return Response.json({ ok: true }); }\n",
        "lib/cache.js": 'const value = cache.get("status");\n',
      }),
    );
    expect(facts.map((f) => [(f.value as { path: string }).path, f.source])).toEqual([
      ["/readyz", "main.go:1"],
      ["/healthz/", "mysite/urls.py:1"],
      ["/livez", "web/server.js:1"],
      ["/api/health", "app/api/health/route.js"],
    ]);
  });
});

describe("what a health handler checks", () => {
  const checks = (files: Record<string, string>) => healthRouteFacts(memoryRepo(files)).map((f) => [f.source, (f.value as { checks?: boolean }).checks]);

  it("reads the handler's body by brackets or by indentation, and says nothing when the body is elsewhere", () => {
    expect(
      checks({
        "a.js": 'app.get("/healthz", async (_req, res) => {\n  try {\n    await pool.query("SELECT 1");\n    res.send("ok");\n  } catch (e) { res.status(503).end(); }\n});\napp.get("/x", (q, r) => r.end());\n',
        "b/app.py": '@app.get("/healthz")\ndef healthz():\n    return "ok"\n\n\n@app.get("/")\ndef index():\n    return db.session.execute("select 1")\n',
        "c/main.go": 'mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {\n\tif err := db.PingContext(r.Context()); err != nil {\n\t\tw.WriteHeader(503)\n\t}\n})\n',
        "d/server.js": 'router.get("/health", health);\n',
        "e/server.ts": 'app.get("/health", (_q, r) => r.json({ ok: true }));\nconst rows = await pool.query("SELECT 1");\n',
      }),
    ).toEqual([
      ["a.js:1", true],
      ["b/app.py:1", false],
      ["c/main.go:1", true],
      ["d/server.js:1", undefined],
      ["e/server.ts:1", false],
    ]);
  });

  it("does not take a constant answer, a comment or a parameter for a dependency check, nor read into the next function", () => {
    expect(
      checks({
        "a/ping.py": '@router.get("/ping")\nasync def pong():\n    # example: `notes = await db.fetch_all()`\n    return {"ping": "pong!"}\n\n\n@router.get("/notes")\nasync def notes():\n    return await db.fetch_all(query)\n',
        "b/health.py": '@router.get("/health")\ndef health(\n    db: Session = Depends(get_db),\n):\n    return {"status": "ok"}\n',
        "c/health.py": '@router.get("/health")\ndef health(db: Session = Depends(get_db)):\n    db.execute(text("SELECT 1"))\n    return {"status": "ok"}\n',
        "d/server.js": 'app.get("/ping", (req, res) => res.send("ping")); // ping the pool\n',
      }),
    ).toEqual([
      ["a/ping.py:1", false],
      ["b/health.py:1", false],
      ["c/health.py:1", true],
      ["d/server.js:1", false],
    ]);
  });

  it("keeps one health path per directory, so two components serving /healthz both have theirs", () => {
    expect(checks({ "api/a.js": 'app.get("/healthz", h);', "web/b.js": 'app.get("/healthz", h);', "web/c.js": 'app.get("/healthz", h);' })).toEqual([
      ["api/a.js:1", undefined],
      ["web/b.js:1", undefined],
    ]);
  });
});

describe("route prefixes", () => {
  const prefixes = (files: Record<string, string>) => routeFacts(memoryRepo(files)).map((f) => {
    const v = f.value as { prefix: string; mount?: true };
    return `${v.mount ? "mount " : ""}${v.prefix} @${f.source}`;
  });

  it("finds the first segment of declared routes, mounted routers, and static files at the root", () => {
    expect(
      prefixes({
        "api.js": 'app.get("/healthz", h);\napp.register(routes, { prefix: "/api" });\napi.get("/bookings", list);\napi.post("/bookings/:id", save);\n',
        "web.js": "app.use(express.static(dir));\n// app.get(\"/old\", x)\n",
        "main.py": 'app.include_router(router, prefix="/v1")\n@app.get("/items/{id}")\ndef item(id): ...\n',
        "go.go": 'mux.HandleFunc("GET /tally", tally)\nhttp.Handle("/static/", fs)\n',
        "x.js": 'fetch("/api/other");\nres.redirect("/login");\n',
      }).sort(),
    ).toEqual(["/ @web.js:1", "/bookings @api.js:3", "/items @main.py:2", "/static @go.go:2", "/tally @go.go:1", "mount /api @api.js:2", "mount /v1 @main.py:1"]);
  });
});
