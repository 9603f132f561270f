// The reaper stand-in: testcontainers' Ryuk (testcontainers/ryuk:0.14.0),
// which cannot be pulled here, re-implemented on the Docker Engine API with
// the contract testcontainers-node relies on (build/reaper/reaper.js) and
// the semantics of moby-ryuk's reaper.go:
//   - TCP on RYUK_PORT (default 8080); "Started" in the log once it listens,
//     which is what testcontainers waits for;
//   - each line a client sends is a URL query of Docker filters
//     (`label=org.testcontainers.session-id=<id>`, several joined by `&`
//     all apply); each non-empty line is answered `ACK\n`;
//   - no connection within RYUK_CONNECTION_TIMEOUT (60s), or none left for
//     RYUK_RECONNECTION_TIMEOUT (10s) after the last one closed, or SIGTERM
//     (then at most RYUK_SHUTDOWN_TIMEOUT, 10m, for clients still connected):
//     remove every container (with its anonymous volumes), network, volume
//     and image matching any filter received, then exit;
//   - a matching resource created after the check began (less
//     RYUK_RETRY_OFFSET, -1s) means someone is still setting up: wait again;
//   - containers labelled org.testcontainers.ryuk=true (reapers, this one
//     included) are never removed;
//   - each removal is retried RYUK_REMOVE_RETRIES (10) times, a second apart;
//     every Docker request times out after RYUK_REQUEST_TIMEOUT (10s).
// The Docker socket is mounted at /var/run/docker.sock (or DOCKER_HOST,
// unix:// or plain tcp://).
import { request } from "node:http";
import { createServer } from "node:net";

const RYUK_LABEL = "org.testcontainers.ryuk";
const verbose = /^(1|t|true)$/i.test(process.env.RYUK_VERBOSE ?? "");
const UNITS = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("10s", "1m30s", "-1s", "500ms") in milliseconds. */
function duration(name, fallback) {
  const text = process.env[name] || fallback;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!match && text !== "0") fail(`${name}=${text} is not a duration such as 10s or 1m30s`);
  let ms = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(value) * UNITS[unit];
  return text.startsWith("-") ? -ms : ms;
}

function fail(message) {
  log("ERROR", message);
  process.exit(1);
}

const config = {
  port: Number(process.env.RYUK_PORT || 8080),
  connectionTimeout: duration("RYUK_CONNECTION_TIMEOUT", "60s"),
  reconnectionTimeout: duration("RYUK_RECONNECTION_TIMEOUT", "10s"),
  requestTimeout: duration("RYUK_REQUEST_TIMEOUT", "10s"),
  removeRetries: Number(process.env.RYUK_REMOVE_RETRIES || 10),
  retryOffset: duration("RYUK_RETRY_OFFSET", "-1s"),
  shutdownTimeout: duration("RYUK_SHUTDOWN_TIMEOUT", "10m"),
};

function log(level, msg, fields = {}) {
  if (level === "DEBUG" && !verbose) return;
  const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`);
  console.log(`time=${new Date().toISOString()} level=${level} msg=${JSON.stringify(msg)}${extra.join("")}`);
}

// --- the Docker Engine API ----------------------------------------------------

const endpoint = (() => {
  const host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375) };
})();

class DockerError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function docker(method, path, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined)).toString();
  return new Promise((resolve, reject) => {
    const req = request({ ...endpoint, method, path: `${path}${search ? `?${search}` : ""}`, timeout: config.requestTimeout }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode >= 400) {
          let message = text.trim();
          try {
            message = JSON.parse(text).message ?? message;
          } catch {
            // not JSON: keep the text
          }
          reject(new DockerError(res.statusCode, `${method} ${path}: ${res.statusCode} ${message}`));
          return;
        }
        try {
          resolve(text && res.headers["content-type"]?.includes("json") ? JSON.parse(text) : text);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new DockerError(0, `${method} ${path}: no answer in ${config.requestTimeout} ms`)));
    req.on("error", reject);
    req.end();
  });
}

// --- filters ------------------------------------------------------------------

/** Each distinct filter line, as the JSON the Engine API takes: {"label":{"k=v":true}}. */
const filters = new Map();

function addFilter(line) {
  const args = {};
  for (const [type, value] of new URLSearchParams(line)) (args[type] ??= {})[value] = true;
  const key = JSON.stringify(Object.keys(args).sort().map((t) => [t, Object.keys(args[t]).sort()]));
  if (filters.has(key)) {
    log("DEBUG", "filter already exists", { key });
    return;
  }
  log("INFO", "adding filter", { filter: line });
  filters.set(key, JSON.stringify(args));
}

// --- what to remove -----------------------------------------------------------

class ChangesDetected extends Error {}

const createdMs = {
  containers: (c) => c.Created * 1000,
  networks: (n) => Date.parse(n.Created),
  volumes: (v) => Date.parse(v.CreatedAt),
  images: (i) => i.Created * 1000,
};

async function resources(since) {
  const found = { containers: new Set(), networks: new Set(), volumes: new Set(), images: new Set() };
  const check = (kind, id, item) => {
    const created = createdMs[kind](item);
    // Created after the check began: something is still being set up under this filter.
    if (created > since) throw new ChangesDetected(`${kind.slice(0, -1)} ${id} created after the prune check began`);
    found[kind].add(id);
  };
  for (const json of filters.values()) {
    const query = { filters: json };
    for (const c of await docker("GET", "/containers/json", { ...query, all: "true" })) {
      if (c.Labels?.[RYUK_LABEL] === "true") {
        log("DEBUG", "skipping reaper container", { id: c.Id });
        continue;
      }
      check("containers", c.Id, c);
    }
    for (const n of await docker("GET", "/networks", query)) check("networks", n.Id, n);
    for (const v of (await docker("GET", "/volumes", query)).Volumes ?? []) {
      if (Number.isNaN(Date.parse(v.CreatedAt))) {
        log("ERROR", "parse volume created", { volume: v.Name });
        continue;
      }
      check("volumes", v.Name, v);
    }
    for (const i of await docker("GET", "/images/json", query)) check("images", i.Id, i);
  }
  return found;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function removeAll(kind, ids, remove) {
  const todo = new Set(ids);
  let removed = 0;
  for (let attempt = 1; attempt <= config.removeRetries && todo.size > 0; attempt++) {
    for (const id of [...todo]) {
      try {
        await remove(id);
        removed++;
        todo.delete(id);
      } catch (error) {
        if (error instanceof DockerError && error.status === 404) {
          todo.delete(id);
          continue;
        }
        log("ERROR", "remove", { resource: kind, id, attempt, error: error.message });
      }
    }
    if (todo.size > 0 && attempt < config.removeRetries) await sleep(1000);
  }
  if (todo.size > 0) log("ERROR", "left items", { resource: kind, count: todo.size });
  return removed;
}

async function prune(found) {
  // Containers first: a network or volume in use cannot go.
  const containers = await removeAll("container", found.containers, (id) => docker("DELETE", `/containers/${id}`, { v: "true", force: "true" }));
  const networks = await removeAll("network", found.networks, (id) => docker("DELETE", `/networks/${id}`));
  const volumes = await removeAll("volume", found.volumes, (name) => docker("DELETE", `/volumes/${encodeURIComponent(name)}`, { force: "true" }));
  const images = await removeAll("image", found.images, (id) => docker("DELETE", `/images/${id}`, { noprune: "false" }));
  log("INFO", "removed", { containers, networks, volumes, images });
}

// --- when to remove -----------------------------------------------------------

let clients = 0;
let timer;
let period = config.connectionTimeout;
let signalled = false;
let checking = false;

function arm(ms) {
  clearTimeout(timer);
  period = ms;
  timer = setTimeout(() => void pruneCheck(), Math.max(0, ms));
}

function disarm() {
  clearTimeout(timer);
  timer = undefined;
}

async function pruneCheck() {
  timer = undefined;
  checking = true;
  log("INFO", "prune check", { clients });
  if (clients > 0) log("WARN", "shutdown timeout", { clients });
  let found;
  try {
    found = await resources(Date.now() + config.retryOffset);
  } catch (error) {
    checking = false;
    if (error instanceof ChangesDetected) {
      log("WARN", "change detected, waiting again", { error: error.message });
      // A client that connected meanwhile holds the resources until it leaves.
      if (clients === 0 || signalled) arm(Math.max(period, 1000));
      return;
    }
    log("ERROR", "resources", { error: error.message });
    found = undefined;
  }
  checking = false;
  // A client that connected while the check ran keeps its resources alive (unless shutting down).
  if (clients > 0 && !signalled) {
    log("INFO", "client connected during the prune check, waiting again", { clients });
    return;
  }
  server.close();
  if (found) await prune(found);
  log("INFO", "done");
  process.exit(0);
}

const server = createServer((socket) => {
  const address = `${socket.remoteAddress}:${socket.remotePort}`;
  if (signalled) {
    // Closing without an ACK makes the client look for another reaper.
    log("WARN", "shutdown, aborting client", { address });
    socket.destroy();
    return;
  }
  clients++;
  log("INFO", "client connected", { address, clients });
  if (clients === 1 && !checking) disarm();
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) {
        log("WARN", "empty filter received", { address });
        continue;
      }
      try {
        addFilter(line);
      } catch (error) {
        log("ERROR", "add filter", { address, error: error.message });
      }
      socket.write("ACK\n");
    }
  });
  socket.on("error", (error) => log("DEBUG", "client error", { address, error: error.message }));
  socket.on("close", () => {
    clients--;
    log("INFO", "client disconnected", { address, clients });
    if (clients === 0 && !signalled && !checking) arm(config.reconnectionTimeout);
  });
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    log("INFO", "signal received", { clients, shutdown_timeout: `${config.shutdownTimeout}ms` });
    server.close();
    period = clients === 0 ? 0 : config.shutdownTimeout;
    if (!checking) arm(period);
  });
}

try {
  await docker("GET", "/_ping");
} catch (error) {
  fail(`ping: ${error.message}`);
}
log("INFO", "starting", config);
server.on("error", (error) => fail(`listen: ${error.message}`));
server.listen(config.port, () => {
  log("INFO", "Started", { address: `:${config.port}` });
  arm(config.connectionTimeout);
});
