export declare function freePort(): Promise<number>;
export declare function freePorts(count: number): Promise<number[]>;
