import { expect, it } from "vitest";
import { componentRows } from "./app-status.js";

it("lists each component's Deployment by its label, with ready of desired replicas and what it runs", () => {
  const deployment = (name: string, component: string, image: string, replicas: number, ready?: number) => ({
    metadata: { name, labels: { "devstack.dev/component": component } },
    spec: { replicas, selector: {}, template: { spec: { containers: [{ name: "app", image }] } } },
    status: ready === undefined ? {} : { readyReplicas: ready },
  });
  expect(
    componentRows([
      deployment("shop-worker", "worker", "localhost:5001/shop:src-0123456789ab", 1),
      deployment("shop-api", "api", "123.dkr.ecr.eu-central-1.amazonaws.com/shop@sha256:0123456789abcdef0123", 3, 2),
    ]),
  ).toEqual([
    { component: "api", ready: 2, desired: 3, version: "sha256:0123456789ab" },
    { component: "worker", ready: 0, desired: 1, version: "src-0123456789ab" },
  ]);
});
