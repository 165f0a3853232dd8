/**
 * What to do after Meta refused or failed a send, decided on Meta's error `code` (and the HTTP status
 * when the code says nothing), never on the message text. Pure: the worker passes the attempt counts and
 * the random source, so every branch is testable without waiting.
 *
 * - throttled / transient: retry with exponential backoff and full jitter (honouring Retry-After);
 * - spam or ecosystem limits: Meta refuses more messages from this number for a while — hammering makes it
 *   worse, so the send is rescheduled much later, a few times at most;
 * - everything else, and any other 4xx: permanent, never retried.
 */
export interface GraphFailure {
  /** 0 when Meta was not reached at all. */
  httpStatus: number;
  code: number;
}

export type FailureKind = 'retry' | 'spam' | 'permanent';

/** Throughput, pair-rate and app rate limits, and Meta's own "temporary, try again" codes. */
const RETRY_CODES = new Set([
  130429, // Cloud API throughput reached
  131056, // (business, consumer) pair rate limit
  4, // application request limit
  80007, // Instagram / WABA rate limit
  613, // calls within one hour exceeded
  1, // API unknown (Meta: possibly temporary)
  2, // API service: temporary due to downtime
  131000, // something went wrong (Meta: retry)
  133004, // server temporarily unavailable
]);

/** The number's messages are being limited for quality: back off for a long while. */
const SPAM_CODES = new Set([131048, 131049]);

/** Named here so the table reads as documentation; any other 4xx is permanent too. */
const PERMANENT_CODES = new Set([
  131047, // re-engagement: outside the 24-hour window
  130472, // user's number is part of an experiment
  131026, // undeliverable
  131021, // recipient cannot be the sender
  131051, // unsupported message type
  131052, // media download error
  131053, // media upload error
  100, // invalid parameter
  190, // access token expired or invalid
  10, // permission denied
  200, // permission error
  368, // temporarily blocked for policy violations
  131031, // business account locked
  131050, // user stopped marketing messages
  133010, // number not registered
  470, // message failed to send: 24 hours passed (legacy)
  131008, // required parameter missing
  131009, // parameter value not valid
]);

export function classifyGraphFailure(e: GraphFailure): FailureKind {
  if (RETRY_CODES.has(e.code)) return 'retry';
  if (SPAM_CODES.has(e.code)) return 'spam';
  if (PERMANENT_CODES.has(e.code) || (e.code >= 132000 && e.code <= 132069)) return 'permanent';
  if (e.httpStatus === 0 || e.httpStatus === 429 || e.httpStatus >= 500) return 'retry';
  return 'permanent';
}

export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 5 * 60_000;
/** Attempts in all (the first included) before a retryable failure becomes final. */
export const MAX_SEND_ATTEMPTS = 8;
export const SPAM_DELAY_MS = 60 * 60_000;
export const MAX_SPAM_DEFERRALS = 3;

export type SendStep =
  | { action: 'retry'; delayMs: number }
  | { action: 'reschedule'; delayMs: number }
  | { action: 'fail'; exhausted: boolean };

/**
 * The next step after a failed attempt. `attempts` counts the attempts made so far (this one included),
 * `spamDeferrals` the long reschedules already taken.
 */
export function nextSendStep(
  e: GraphFailure & { retryAfterSeconds?: number | null },
  state: { attempts: number; spamDeferrals: number },
  random: () => number = Math.random,
): SendStep {
  const kind = classifyGraphFailure(e);
  if (kind === 'retry') {
    if (state.attempts >= MAX_SEND_ATTEMPTS) return { action: 'fail', exhausted: true };
    // Full jitter: many senders throttled at once spread out instead of coming back together.
    const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, state.attempts - 1));
    let delayMs = Math.round(random() * ceiling);
    if (e.retryAfterSeconds) delayMs = Math.max(delayMs, Math.min(RETRY_CAP_MS, e.retryAfterSeconds * 1000));
    return { action: 'retry', delayMs };
  }
  if (kind === 'spam') {
    if (state.spamDeferrals >= MAX_SPAM_DEFERRALS) return { action: 'fail', exhausted: true };
    // An hour, ±20%, so a batch that hit the limit together does not return together.
    return { action: 'reschedule', delayMs: Math.round(SPAM_DELAY_MS * (0.8 + 0.4 * random())) };
  }
  return { action: 'fail', exhausted: false };
}

/** Short pt-BR reasons the dashboard shows when Meta gives no title of its own. */
const REASONS: Record<string, string> = {
  '131047': 'Fora da janela de 24 horas: só modelos aprovados podem ser enviados',
  '470': 'Fora da janela de 24 horas: só modelos aprovados podem ser enviados',
  '130472': 'O número do cliente faz parte de um experimento da Meta',
  '131026': 'Mensagem não entregável a este número',
  '131021': 'O destinatário não pode ser o próprio remetente',
  '131051': 'Tipo de mensagem não suportado',
  '131052': 'Falha ao baixar a mídia',
  '131053': 'Falha ao enviar a mídia para a Meta',
  '100': 'Parâmetro inválido',
  '190': 'Token de acesso expirado ou inválido',
  '10': 'Permissão negada pela Meta',
  '200': 'Permissão negada pela Meta',
  '368': 'Conta temporariamente bloqueada por violação de políticas',
  '131031': 'Conta comercial bloqueada',
  '131050': 'O cliente optou por não receber mensagens de marketing',
  '133010': 'Número não registrado na plataforma WhatsApp Business',
  '130429': 'Limite de envio da Meta atingido',
  '131056': 'Muitas mensagens para o mesmo número em pouco tempo',
  '131048': 'Limite de spam atingido: envios restringidos pela Meta',
  '131049': 'Não entregue para manter o engajamento saudável do ecossistema',
  '4': 'Limite de chamadas do aplicativo atingido',
  '80007': 'Limite de chamadas atingido',
  meta_unreachable: 'Não foi possível falar com a Meta',
  license_restricted: 'Licença restrita: envios suspensos',
  plan_quota_messages: 'Cota mensal de mensagens do plano esgotada',
  connection_removed: 'A conexão foi removida',
  media_missing: 'O arquivo de mídia não está mais disponível',
  contact_missing: 'Contato não encontrado',
  send_error: 'Erro interno ao enviar; nova tentativa agendada',
};

/** Where Meta's code is too broad (10: permission) its subcode says more. */
const SUBCODE_REASONS: Record<number, string> = {
  2018278: 'Fora da janela de mensagens do Instagram (24 horas; 7 dias para resposta de atendente)',
};

export function failureReason(code: string, subcode: number | null = null): string | null {
  if (subcode !== null && SUBCODE_REASONS[subcode]) return SUBCODE_REASONS[subcode];
  if (REASONS[code]) return REASONS[code];
  const n = Number(code);
  if (n >= 132000 && n <= 132069) return 'Erro no modelo de mensagem (template)';
  return null;
}
