/** Strings of the inbox pages. pt-BR first; English must match it. */
const pt = {
  'inbox.title': 'inbox',
};

/** @type {Record<keyof typeof pt, string>} */
const en = {
  'inbox.title': 'inbox',
};

export default { pt, en };
