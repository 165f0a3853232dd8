import type { Knex } from 'knex';
import { verifyLease, type Lease } from '#protocol/lease.js';
import { loadLicenseState } from '../repositories/licenseState.js';
import { computeLicenseState, type LicenseSnapshot, type StoredLicense } from './licenseState.js';
import type { TrustedKeys } from './trust.js';

/**
 * The one place that knows the license in force. It reads the stored lease, verifies its signature with
 * the trusted keys every time it loads it (an edited row is worthless), and answers the current state.
 * Loads are cached briefly; writers call invalidate(), and other processes hear about changes through
 * Redis (bootstrap wires that).
 */
export class LicenseGate {
  private cache: { stored: StoredLicense | null; lease: Lease | null } | null = null;
  private loadedAt = 0;
  /** Bumped by invalidate(): a load that started before it must not count as fresh. */
  private generation = 0;
  private loading: { generation: number; done: Promise<void> } | null = null;

  constructor(
    private readonly db: Knex,
    private readonly trustedKeys: TrustedKeys,
    private readonly localNow: () => Date,
    private readonly cacheMs = 2000,
  ) {}

  async snapshot(): Promise<LicenseSnapshot> {
    while (!this.cache || this.loadedAt === 0 || Date.now() - this.loadedAt > this.cacheMs) {
      if (!this.loading || this.loading.generation !== this.generation) {
        const generation = this.generation;
        const done = this.load(generation).finally(() => { if (this.loading?.done === done) this.loading = null; });
        this.loading = { generation, done };
      }
      await this.loading.done;
    }
    return computeLicenseState(this.cache.stored, this.cache.lease, this.localNow());
  }

  invalidate(): void {
    this.generation++;
    this.loadedAt = 0;
  }

  private async load(generation: number): Promise<void> {
    const row = await loadLicenseState(this.db);
    let lease: Lease | null = null;
    if (row) {
      let envelope: unknown = null;
      try { envelope = JSON.parse(row.lease_envelope); } catch { /* an edited row */ }
      const v = verifyLease(envelope, this.trustedKeys);
      if (v.ok && v.lease.installationKeyId === row.installation_key_id) lease = v.lease;
    }
    this.cache = {
      lease,
      stored: row
        ? {
            installationId: row.installation_id,
            leaseSeq: Number(row.lease_seq),
            clockOffsetMs: Number(row.clock_offset_ms),
            trustedTime: row.trusted_time,
            lastSuccessAt: row.last_success_at,
            lastAttemptAt: row.last_attempt_at,
            lastErrorCode: row.last_error_code,
            lastErrorMessage: row.last_error_message,
            definitiveError: row.definitive_error,
            definitiveReason: row.definitive_reason ?? null,
          }
        : null,
    };
    // Invalidated while reading: keep the data, but do not call it fresh.
    this.loadedAt = generation === this.generation ? Date.now() : 0;
  }
}
