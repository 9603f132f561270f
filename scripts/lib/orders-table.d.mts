/** SQL creating and filling the realistic `orders` table the export bench and tests use. */
export declare function ordersSql(rows: number, table?: string): string;
