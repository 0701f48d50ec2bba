/**
 * Types of `render.js` (plain JavaScript, served to the browser as is) for the TypeScript that
 * imports it: the tests. Inputs are API answers, read defensively, hence `unknown`-ish shapes.
 */
export declare function esc(value: unknown): string;
export declare function fmtNumber(n: unknown): string;
export declare function fmtPercent(x: unknown): string;
export declare function fmtSentiment(s: unknown): string;
export declare function fmtDuration(ms: unknown): string;
export declare function fmtAgo(iso: unknown, now?: number): string;
export declare function bucketLabel(iso: unknown, bucket: string): string;
export declare function bucketStart(ms: number, bucket: string): number;
export declare function fillBuckets(insights: unknown): { bucket: string; count: number; average: number | null; positive: number; negative: number; neutral: number }[];
export declare function niceTicks(min: number, max: number, count?: number): number[];
export declare function barChart(spec: { title: string; yLabel: string; xLabel: string; labels: string[]; series: { key: string; label: string; color: string }[]; values: Record<string, number>[] }): string;
export declare function lineChart(spec: { title: string; yLabel: string; xLabel: string; labels: string[]; values: (number | null)[]; min: number; max: number; color: string; zero?: boolean; format?: (v: number) => string }): string;
export declare function volumeChart(insights: unknown): string;
export declare function sentimentChart(insights: unknown): string;
export declare function renderSummary(insights: unknown, health: unknown): string;
export declare function renderTopics(report: unknown): string;
export declare function renderSources(health: unknown, now?: number): string;
export declare function renderStages(health: unknown): string;
export declare function renderAlerts(alerts: unknown, now?: number): string;
export declare function renderDeadLetters(letters: unknown, now?: number): string;
export declare function renderWorkspaceOptions(workspaces: unknown, current: string): string;
