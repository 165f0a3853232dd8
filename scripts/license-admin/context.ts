/** What every command gets, and the shapes of the service's answers (license-service/src/presenters). */
import type { Args, OptionName } from './args.js';
import type { AdminApi } from './http.js';
import { out } from './format.js';

export interface Ctx {
  args: Args;
  json: boolean;
  /** The API client; asking for it without a token is a usage error. */
  api(): AdminApi;
}

export interface Command {
  name: string;
  /** Positional arguments after the command words, e.g. ['ID']. */
  positionals?: string[];
  synopsis: string;
  summary: string;
  options?: OptionName[];
  run(ctx: Ctx): Promise<void> | void;
}

export interface License {
  id: string; clientId: string; planId: string; keySuffix: string; status: string; statusReason?: string | null; expiresAt: string;
  /** In lists and the single view (GET /licenses, /licenses/:id); change answers carry only clientId. */
  client?: { id: string; name: string };
  boundIp: string | null; leaseSeq: number; cloneSuspectedAt: string | null; createdAt: string; updatedAt: string;
}
export interface Client { id: string; name: string; email: string; taxId: string | null; createdAt: string }

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `--json`: the service's answer as it came. */
export const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
