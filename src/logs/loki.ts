import { DevstackError } from "../errors.js";

export interface LogLine {
  /** Nanoseconds since the epoch, as Loki keeps them. */
  timeNs: string;
  time: Date;
  labels: Record<string, string>;
  line: string;
}

export interface RangeQuery {
  query: string;
  start: Date;
  end: Date;
  limit?: number;
  direction?: "forward" | "backward";
}

interface StreamsResponse {
  status: string;
  data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][] }[] };
}

const ns = (d: Date) => `${BigInt(d.getTime()) * 1_000_000n}`;

/** Loki's HTTP API (query_range and labels), as documented; errors come back with Loki's own message. */
export class LokiClient {
  constructor(private readonly baseUrl: string) {}

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, "")}${path}?${new URLSearchParams(params)}`;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (error) {
      throw new DevstackError(`Loki does not answer at ${this.baseUrl}: ${(error as Error).message}`, { fix: "`devstack status` shows whether the stack runs" });
    }
    const body = await res.text();
    if (!res.ok) {
      throw new DevstackError(`Loki rejected the query: ${body.trim() || res.statusText}`, { fix: "check the LogQL (https://grafana.com/docs/loki/latest/query/)" });
    }
    return JSON.parse(body) as T;
  }

  /** Lines of a LogQL stream query over a time range, newest first unless direction is forward. */
  async queryRange(q: RangeQuery): Promise<LogLine[]> {
    const direction = q.direction ?? "backward";
    const out = await this.get<StreamsResponse>("/loki/api/v1/query_range", {
      query: q.query,
      start: ns(q.start),
      end: ns(q.end),
      limit: String(q.limit ?? 100),
      direction,
    });
    if (out.data.resultType !== "streams") {
      throw new DevstackError(`the query returns ${out.data.resultType}, not log lines`, { fix: "use a log query such as {app=\"hello\"} |= \"error\"; metric queries belong in Grafana" });
    }
    const lines = out.data.result.flatMap((s) =>
      s.values.map(([t, line]) => ({ timeNs: t, time: new Date(Number(BigInt(t) / 1_000_000n)), labels: s.stream, line })),
    );
    return lines.sort((a, b) => (direction === "backward" ? Number(BigInt(b.timeNs) - BigInt(a.timeNs)) : Number(BigInt(a.timeNs) - BigInt(b.timeNs))));
  }

  /** Writes one line with the given labels (the push API); deploys use it to mark the dashboards. */
  async push(labels: Record<string, string>, line: string, at = new Date()): Promise<void> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, "")}/loki/api/v1/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ streams: [{ stream: labels, values: [[ns(at), line]] }] }),
    });
    if (!res.ok) throw new DevstackError(`Loki refused the line: ${res.status} ${await res.text()}`);
  }

  async labels(): Promise<string[]> {
    return (await this.get<{ status: string; data: string[] }>("/loki/api/v1/labels", {})).data;
  }
}
