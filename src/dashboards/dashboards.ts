import type { ResolvedConfig } from "../config/resolve.js";

// Grafana dashboards as data: every panel is a LogQL query over the labels
// Alloy sets (app, environment, component, level, service_name) or Traefik's
// JSON access log fields, so they work the same in every profile. Traefik is
// found by the pod label both of its charts set (k3s's bundled one and the
// platform's), never by a container name, which each chart chooses.

const LOKI = { type: "loki", uid: "loki" };

/** The pod label `app.kubernetes.io/name` both Traefik charts set, which Alloy turns into the `service_name` log label. */
export const TRAEFIK_SERVICE_NAME = "traefik";

/**
 * Fields of Traefik's JSON access log the dashboards read: among the default
 * core keys of Traefik's access log (pkg/middlewares/accesslog/logdata.go,
 * the same in v3.5 and v3.7), which the default field mode keeps.
 */
export const ACCESS_LOG_FIELDS = ["RequestHost", "RequestPath", "DownstreamStatus", "Duration"] as const;

interface Panel {
  title: string;
  type: "timeseries" | "table" | "stat" | "barchart";
  exprs: { expr: string; legend?: string }[];
  unit?: string;
  w?: number;
}

export const DEPLOY_COMPONENT = "devstack-deploy";

function dashboard(uid: string, title: string, config: Pick<ResolvedConfig, "app">, panels: Panel[]) {
  let x = 0;
  let y = 0;
  return {
    uid,
    title,
    tags: ["devstack", config.app.name],
    timezone: "browser",
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: {
      list: [
        { name: "env", label: "environment", type: "query", datasource: LOKI, query: { label: "environment", stream: `{app="${config.app.name}"}`, type: 1 }, refresh: 2 },
        // Components, jobs and the migration by their log label; All matches every one, deploy marks included.
        {
          name: "component",
          label: "component",
          type: "query",
          datasource: LOKI,
          query: { label: "component", stream: `{app="${config.app.name}", environment="$env"}`, type: 1 },
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: ".+",
          current: { text: ["All"], value: ["$__all"] },
        },
      ],
    },
    // Every devstack deploy writes a line that marks the graphs.
    annotations: {
      list: [
        {
          name: "deploys",
          datasource: LOKI,
          enable: true,
          iconColor: "blue",
          expr: `{app="${config.app.name}", environment="$env", component="${DEPLOY_COMPONENT}"} | json`,
          textFormat: "{{revision}} {{digest}}",
        },
      ],
    },
    panels: panels.map((p, id) => {
      const w = p.w ?? 12;
      if (x + w > 24) {
        x = 0;
        y += 8;
      }
      const gridPos = { x, y, w, h: 8 };
      x += w;
      return {
        id: id + 1,
        title: p.title,
        type: p.type,
        datasource: LOKI,
        gridPos,
        fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
        targets: p.exprs.map((e, i) => ({ refId: String.fromCharCode(65 + i), datasource: LOKI, expr: e.expr, ...(e.legend ? { legendFormat: e.legend } : {}), queryType: "range" })),
      };
    }),
  };
}

/** The dashboards provisioned for the app: traffic, errors, user activity; each with deploy annotations. */
export function dashboards(config: Pick<ResolvedConfig, "app" | "host">) {
  const app = `app="${config.app.name}", environment="$env", component=~"$component"`;
  const access = `{service_name="${TRAEFIK_SERVICE_NAME}"} | json | RequestHost="${config.host}"`;
  return {
    traffic: dashboard(`${config.app.name}-traffic`, `${config.app.name}: traffic`, config, [
      { title: "requests per second", type: "timeseries", unit: "reqps", exprs: [{ expr: `sum(rate(${access} [1m]))`, legend: "requests" }] },
      { title: "responses by status code", type: "timeseries", unit: "reqps", exprs: [{ expr: `sum by (DownstreamStatus) (rate(${access} [1m]))`, legend: "{{DownstreamStatus}}" }] },
      {
        title: "latency by route (p50, p95, p99)",
        type: "timeseries",
        unit: "ms",
        w: 24,
        exprs: [0.5, 0.95, 0.99].map((q) => ({ expr: `quantile_over_time(${q}, ${access} | unwrap Duration | __error__="" [5m]) by (RequestPath) / 1000000`, legend: `p${Math.round(q * 100)} {{RequestPath}}` })),
      },
    ]),
    errors: dashboard(`${config.app.name}-errors`, `${config.app.name}: errors`, config, [
      { title: "top error messages", type: "table", w: 24, exprs: [{ expr: `topk(10, sum by (msg) (count_over_time({${app}, level=~"error|fatal"} | json msg="msg" [$__range])))` }] },
      { title: "errors per second by component", type: "timeseries", unit: "short", exprs: [{ expr: `sum by (component) (rate({${app}, level=~"error|fatal"} [1m]))`, legend: "{{component}}" }] },
      { title: "log lines by level", type: "timeseries", exprs: [{ expr: `sum by (level) (rate({${app}} [1m]))`, legend: "{{level}}" }] },
    ]),
    activity: dashboard(`${config.app.name}-activity`, `${config.app.name}: user activity`, config, [
      { title: "events per minute", type: "timeseries", w: 24, exprs: [{ expr: `sum by (event) (count_over_time({${app}} | json event="event" | event!="" [1m]))`, legend: "{{event}}" }] },
      { title: "events in range", type: "barchart", w: 24, exprs: [{ expr: `sum by (event) (count_over_time({${app}} | json event="event" | event!="" [$__range]))` }] },
    ]),
  };
}
