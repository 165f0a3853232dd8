import type { Knex } from 'knex';

/**
 * Business hours calendars (calendar/businessHours.ts evaluates them): a time zone, per weekday any number
 * of intervals (lunch breaks, overnight shifts), dated exceptions, Brazil's national holidays by rule (not
 * rows, so they never run out) and the out-of-office reply. A calendar applies to one connection or one
 * team (a team's calendar wins over its connection's), or to nothing yet; each has at most one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('business_calendars', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    /** IANA name, e.g. America/Sao_Paulo; every evaluation happens in it. */
    t.text('timezone').notNullable();
    /** { "1": [{ from: 'HH:MM', to: 'HH:MM' }, …], …, "7": […] }, 1 = Monday; `to` <= `from` ends the next day. */
    t.jsonb('week').notNullable();
    /** [{ date: 'YYYY-MM-DD', name, closed, intervals }]: override the week and the holidays. */
    t.jsonb('exceptions').notNullable().defaultTo('[]');
    t.boolean('national_holidays').notNullable().defaultTo(true);
    /** Pontos facultativos kept as holidays too: 'carnaval', 'corpus_christi' (calendar/brazilHolidays.ts). */
    t.specificType('optional_holidays', 'text[]').notNullable().defaultTo('{}');
    /** { enabled, text }: the reply sent once per closed period per conversation. */
    t.jsonb('out_of_office').notNullable().defaultTo(JSON.stringify({ enabled: false, text: '' }));
    t.uuid('connection_id').references('connections.id').onDelete('set null');
    t.uuid('team_id').references('teams.id').onDelete('set null');
    t.uuid('created_by').references('users.id').onDelete('set null');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create unique index business_calendars_connection on business_calendars (connection_id) where connection_id is not null`);
  await knex.raw(`create unique index business_calendars_team on business_calendars (team_id) where team_id is not null`);
  await knex.raw(`alter table business_calendars add constraint business_calendars_one_subject check (num_nonnulls(connection_id, team_id) <= 1)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('business_calendars');
}
