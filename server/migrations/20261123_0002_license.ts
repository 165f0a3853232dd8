import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row: this appliance's license. The lease is kept exactly as the service sent it (text), so its
  // signature can be checked again every time it is loaded; any edited byte makes it worthless.
  await knex.schema.createTable('license_state', (t) => {
    t.integer('id').primary();
    t.uuid('installation_id').notNullable();
    t.text('installation_key_id').notNullable();
    t.text('lease_envelope').notNullable();
    t.bigInteger('lease_seq').notNullable();
    /** serviceTime − local time when the lease arrived: the appliance reads the time through it. */
    t.bigInteger('clock_offset_ms').notNullable().defaultTo(0);
    /** The latest trusted time ever seen (high-water mark); a clock earlier than this is tampering. */
    t.timestamp('trusted_time', { useTz: true }).notNullable();
    t.timestamp('last_success_at', { useTz: true });
    t.timestamp('last_attempt_at', { useTz: true });
    t.text('last_error_code');
    t.text('last_error_message');
    /** Set by a definitive refusal (revoked, suspended, …): restricted without grace until a lease clears it. */
    t.text('definitive_error');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table license_state add constraint license_state_single_row check (id = 1)`);

  // Exact monthly counters; the period is the month in the appliance's time zone ('2026-11').
  await knex.schema.createTable('usage_counters', (t) => {
    t.text('period').notNullable();
    t.text('metric').notNullable();
    t.bigInteger('count').notNullable().defaultTo(0);
    t.primary(['period', 'metric']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_counters');
  await knex.schema.dropTable('license_state');
}
