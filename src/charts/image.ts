import type { ResolvedConfig } from "../config/resolve.js";

export interface ImageRef {
  repository: string;
  tag: string;
  digest?: string;
}

/** Where a profile's registry keeps the app's image. */
export function imageRepository(config: ResolvedConfig): string {
  const { registry, cluster, ports } = config.profile;
  const app = config.app.name;
  switch (registry.type) {
    case "local":
      // The k3s node's containerd mirrors localhost:<port> to the registry container (KEP-1755).
      return `localhost:${ports.registry}/${app}`;
    case "ecr": {
      const region = registry.region ?? (cluster.type === "eks" ? cluster.region : undefined);
      return `${registry.account}.dkr.ecr.${region}.amazonaws.com/${app}`;
    }
    case "generic":
      return `${registry.url}/${app}`;
  }
}

export function imageString(image: ImageRef): string {
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}
