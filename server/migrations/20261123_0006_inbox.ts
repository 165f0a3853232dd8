import type { Knex } from 'knex';

/**
 * Inbox: an admin's "unassigned" queue spans every team (and conversations of no team), which the
 * per-team partial index of 0003 cannot return in list order; this one can, so its first page is one
 * index range scan too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index conversations_unassigned_all on conversations (status, last_message_at desc, id desc) where assignee_id is null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index conversations_unassigned_all`);
}
