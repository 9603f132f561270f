import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigIssue } from "../errors.js";
import type { AppConfig } from "./schema/app.js";
import { locate, type KeyPath, type YamlSource } from "./yaml-source.js";

// Paths in devstack.yaml name files of the project: a build context, its
// Dockerfile, a chart. One that is not there is a config error at its key,
// found by `config` as by every later command, not by a build that fails
// minutes later (or a render that plans an image from nothing).

const kind = (path: string): "file" | "dir" | "missing" => {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
};

export function projectFileIssues(app: AppConfig, projectDir: string, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: KeyPath, message: string) => {
    // A key left out (a default) is reported at the section, or the file's start.
    const pos = locate(source, path, "value");
    issues.push({ file: source.file, line: pos.line, column: pos.column, path: path.join("."), message });
  };
  // The shorthand's build is top-level; each component's is its own.
  const builds: [KeyPath, NonNullable<AppConfig["components"][string]["build"]>][] = app.components
    ? Object.entries(app.components).flatMap(([name, c]): [KeyPath, NonNullable<typeof c.build>][] => (c.build ? [[app.service ? ["build"] : ["components", name, "build"], c.build]] : []))
    : [];
  for (const [key, build] of builds) {
    const context = resolve(projectDir, build.context);
    const contextKind = kind(context);
    if (contextKind !== "dir") at([...key, "context"], `the build context ${build.context} is ${contextKind === "missing" ? "not there" : "a file, not a directory"} (paths are relative to the directory of devstack.yaml)`);
    else if (kind(resolve(context, build.dockerfile)) !== "file") {
      at([...key, "dockerfile"], `no ${build.dockerfile} in the build context ${build.context}: write one, or point ${[...key, "dockerfile"].join(".")} (relative to the context) at it`);
    }
  }
  if (app.chart !== undefined && kind(resolve(projectDir, app.chart, "Chart.yaml")) !== "file") {
    at(["chart"], `no Helm chart at ${app.chart} (a directory with a Chart.yaml, relative to devstack.yaml)`);
  }
  return issues;
}
