import { describe, expect, it } from "vitest";
import { parseManifests, resourceFileName, resourceId } from "./manifests.js";
import { parseImageOption } from "./render.js";

const output = `---
# Source: webapp/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: app
---
# Source: webapp/templates/empty.yaml
---
# Source: platform/templates/clusterissuer.yaml
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: acme
---
# Source: platform/charts/traefik/crds/traefik.io_middlewares.yaml
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: middlewares.traefik.io
`;

describe("parseManifests", () => {
  it("splits helm's output, keeps each template's name and drops empty documents", () => {
    const resources = parseManifests(output);
    expect(resources.map((r) => [r.source, resourceId(r.object)])).toEqual([
      ["webapp/templates/service.yaml", "Service/app/web"],
      ["platform/templates/clusterissuer.yaml", "ClusterIssuer/_cluster/acme"],
      // A crds/ file that starts with "---" gets its Source from the empty document before it.
      ["platform/charts/traefik/crds/traefik.io_middlewares.yaml", "CustomResourceDefinition/_cluster/middlewares.traefik.io"],
    ]);
    expect(resources.map((r) => resourceFileName(r.object))).toEqual(["app.service.web.yaml", "clusterissuer.acme.yaml", "customresourcedefinition.middlewares.traefik.io.yaml"]);
  });
});

describe("parseImageOption", () => {
  it("reads tags, digests and registry ports", () => {
    expect(parseImageOption("localhost:5001/web:v2")).toEqual({ repository: "localhost:5001/web", tag: "v2" });
    expect(parseImageOption("localhost:5001/web")).toEqual({ repository: "localhost:5001/web" });
    expect(parseImageOption(`r.io/web@sha256:${"b".repeat(64)}`)).toEqual({ repository: "r.io/web", digest: `sha256:${"b".repeat(64)}` });
  });
});
