export declare function freePort(): Promise<number>;
export declare function freePorts(count: number): Promise<number[]>;
export declare function freePortsFor(names: string[]): Promise<Record<string, number>>;
