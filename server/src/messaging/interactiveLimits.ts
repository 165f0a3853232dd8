/**
 * Meta's limits for messages the customer answers by tapping (WhatsApp Cloud API interactive reply-buttons
 * and list-messages guides; Instagram quick replies). Lengths are characters. The flow editor validates
 * against them (bots/validateFlow.ts); bots/prompt.ts cuts what still exceeds them, so Meta never refuses
 * a bot's menu.
 */
/** Reply buttons per message. */
export const MAX_BUTTONS = 3;
export const BUTTON_TITLE_MAX = 20;
export const BUTTON_ID_MAX = 256;
/** Rows in a list message, all sections together. */
export const MAX_LIST_ROWS = 10;
export const LIST_ROW_TITLE_MAX = 24;
export const LIST_ROW_DESCRIPTION_MAX = 72;
export const LIST_ROW_ID_MAX = 200;
/** The label of the button that opens the list. */
export const LIST_BUTTON_MAX = 20;
export const INTERACTIVE_BODY_MAX = 1024;
export const INTERACTIVE_HEADER_MAX = 60;
export const INTERACTIVE_FOOTER_MAX = 60;
export const IG_QUICK_REPLIES_MAX = 13;
/** Instagram shows this much of a quick reply's title (it cuts a longer one itself). */
export const IG_QUICK_REPLY_TITLE_MAX = 20;
export const IG_QUICK_REPLY_PAYLOAD_MAX = 1000;
