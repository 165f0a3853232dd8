import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plans', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.jsonb('limits').notNullable();
    t.jsonb('features').notNullable();
    // Bumped on every change, so appliances and admins can tell which revision a lease carries.
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('clients', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('tax_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'id']);
  });

  await knex.schema.createTable('licenses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('client_id').notNullable().references('clients.id');
    t.uuid('plan_id').notNullable().references('plans.id');
    t.text('key_hash').notNullable().unique();
    t.text('key_suffix').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    // Null until the first activation binds it, unless the admin pre-bound it at issue.
    t.text('bound_ip');
    t.bigInteger('lease_seq').notNullable().defaultTo(0);
    t.timestamp('clone_suspected_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['client_id']);
    t.index(['plan_id']);
    t.index(['created_at', 'id']);
  });
  await knex.raw(`alter table licenses add constraint licenses_status_check check (status in ('active','suspended','revoked'))`);

  await knex.schema.createTable('installations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('license_id').notNullable().references('licenses.id');
    t.text('status').notNullable().defaultTo('active');
    t.text('public_key_pem').notNullable();
    t.text('key_id').notNullable();
    t.jsonb('fingerprint').notNullable();
    t.text('fingerprint_hash').notNullable();
    t.text('hostname').notNullable();
    t.text('version').notNullable();
    t.text('last_ip').notNullable();
    t.jsonb('last_usage');
    t.timestamp('activated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_heartbeat_at', { useTz: true });
    t.timestamp('superseded_at', { useTz: true });
    t.index(['last_heartbeat_at']);
    t.index(['activated_at', 'id']);
  });
  await knex.raw(`alter table installations add constraint installations_status_check check (status in ('active','superseded'))`);
  // One machine at a time per license: the database, not just the code, guarantees it.
  await knex.raw(`create unique index installations_one_active_per_license on installations (license_id) where status = 'active'`);

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('kind').notNullable(); // admin | security | appliance
    t.text('action').notNullable();
    t.text('actor').notNullable();
    t.text('ip');
    t.uuid('license_id');
    t.text('subject_type');
    t.text('subject_id');
    t.jsonb('before');
    t.jsonb('after');
    t.jsonb('detail');
    t.index(['license_id', 'id']);
    t.index(['action', 'id']);
    t.index(['kind', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
  await knex.schema.dropTable('installations');
  await knex.schema.dropTable('licenses');
  await knex.schema.dropTable('clients');
  await knex.schema.dropTable('plans');
}
