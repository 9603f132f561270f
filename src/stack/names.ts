export const LABEL_PROJECT = "devstack.project";
export const LABEL_COMPONENT = "devstack.component";
export const LABEL_SPEC = "devstack.spec";
export const LABEL_APP = "devstack.app";

export const containerName = (stack: string, component: string) => `devstack-${stack}-${component}`;
export const volumeName = (stack: string, component: string) => `devstack-${stack}-${component}`;
export const networkName = (stack: string) => `devstack-${stack}`;
