import type { ServiceKind } from "../facts.js";

const BY_NAME: [RegExp, ServiceKind][] = [
  [/^(?:postgres|postgresql|postgis|timescaledb(?:-ha|-postgis)?|pgvector)$/, "database"],
  [/^(?:redis|redis-stack|redis-stack-server|valkey|keydb|dragonfly)$/, "redis"],
  [/^(?:minio|localstack|s3mock|s3proxy)$/, "storage"],
  [/^(?:mailhog|mailpit|maildev|smtp4dev|mailcatcher)$/, "mail"],
];

/** The backing service a container image provides, by the image's own name (registry, owner and tag aside). */
export function imageService(image: string): ServiceKind | undefined {
  const repo = image.split("@")[0]?.toLowerCase() ?? "";
  const last = repo.slice(repo.lastIndexOf("/") + 1).split(":")[0] ?? "";
  if (repo.includes("greenmail/")) return "mail";
  for (const [re, kind] of BY_NAME) if (re.test(last)) return kind;
  return undefined;
}

const UNSUPPORTED: [RegExp, string][] = [
  [/^(?:mysql|mariadb|percona|mysql-server)$/, "MySQL"],
  [/^(?:mongo|mongodb|mongodb-community-server)$/, "MongoDB"],
  [/^rabbitmq$/, "RabbitMQ"],
];

/** A datastore or broker devstack does not provide, by its image's name. */
export function unsupportedImage(image: string): string | undefined {
  const repo = image.split("@")[0]?.toLowerCase() ?? "";
  const last = repo.slice(repo.lastIndexOf("/") + 1).split(":")[0] ?? "";
  return UNSUPPORTED.find(([re]) => re.test(last))?.[1];
}
