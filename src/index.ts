/** devstack as a library: the config model the CLI is built on. */
export { loadConfig, resolveTexts, type LoadOptions, type ResolvedConfig } from "./config/resolve.js";
export { configView, secretSummaries, type ConfigView, type SecretSummary } from "./config/view.js";
export { diffValues, type Difference } from "./config/diff.js";
export { jsonSchema } from "./config/json-schema.js";
export { appSchema, profileSchema, type AppConfig, type ProfileConfig } from "./config/schema/index.js";
export { ConfigError, DevstackError, UsageError, type ConfigIssue } from "./errors.js";
