import type { DashboardChart } from '../dashboard-chart.js';
import type { RunListing } from '../run-summary.js';
import type { RunView, StudyListing, StudyView } from '../dashboard-data.js';

export type { DashboardChart, RunListing, RunView, StudyListing, StudyView };

/** The folders that changed since the last poll (the server's `change` event). */
export interface FolderChange {
  paths: string[];
  listChanged: boolean;
}

/** An answer of the API that was not 200: its status and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GETs an API path and parses its JSON, throwing ApiError with the server's message otherwise. */
export async function getJson<T>(path: string, params: [string, string][] = []): Promise<T> {
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  const res = await fetch(`/api/${path}${query}`, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export const api = {
  list: () => getJson<{ runs: RunListing[]; studies: StudyListing[] }>('list'),
  run: (path: string, log: boolean) => getJson<RunView>('run', [['path', path], ...(log ? [['log', '1'] as [string, string]] : [])]),
  compare: (paths: string[], log: boolean) => getJson<{ runs: RunListing[]; charts: DashboardChart[] }>('compare', [...paths.map((p): [string, string] => ['path', p]), ...(log ? [['log', '1'] as [string, string]] : [])]),
  study: (path: string) => getJson<StudyView>('study', [['path', path]]),
};
